import type { Hono, MiddlewareHandler } from 'hono'
import type { AuditLog } from '../index.js'
import type { AuthVariables } from './auth.js'

/** Not written yet. */
export function registerStreamRoutes(
  _app: Hono<{ Variables: AuthVariables }>,
  _audit: AuditLog<string>,
  _read: MiddlewareHandler<{ Variables: AuthVariables }>,
): void {}
