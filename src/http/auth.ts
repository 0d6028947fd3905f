import type { MiddlewareHandler } from 'hono'
import type { ApiKeyInfo, ApiKeyScope, AuditLog } from '../index.js'
import { problem } from './problem.js'

/** What the auth middleware leaves for the handlers and the request log. */
export interface AuthVariables {
  apiKey: ApiKeyInfo
}

// Names under which a key might be sent in a URL: refused outright, so that none ends up in an
// access log or a browser history.
const KEY_PARAMS = new Set(['key', 'api_key', 'apikey', 'api-key', 'access_token', 'token', 'authorization'])

/**
 * Requires `Authorization: Bearer <key>` with a live key holding `scope`: 401 without one (or with
 * one that is unknown, revoked or malformed), 403 with the wrong scope, 400 when a key-like query
 * parameter is present.
 */
export function requireScope(
  audit: AuditLog<string>,
  scope: ApiKeyScope,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    for (const name of Object.keys(c.req.queries())) {
      if (KEY_PARAMS.has(name.toLowerCase())) {
        return problem(c, 400, `API keys go in the Authorization header, never in the URL (found '${name}')`)
      }
    }
    const header = c.req.header('Authorization') ?? ''
    const match = /^Bearer (\S+)$/.exec(header)
    const key = match === null ? null : await audit.verifyApiKey(match[1] as string)
    const challenge = { 'WWW-Authenticate': 'Bearer realm="auditkit"' }
    if (key === null)
      return problem(c, 401, 'a valid API key is required: Authorization: Bearer <key>', undefined, challenge)
    if (!key.scopes.includes(scope)) return problem(c, 403, `this key lacks the '${scope}' scope`)
    c.set('apiKey', key)
    await next()
    return undefined
  }
}
