import type { Hono, MiddlewareHandler } from 'hono'
import type { AuditLog } from '../index.js'
import type { AuthVariables } from './auth.js'
import { problem } from './problem.js'
import { noQueryParameters } from './query.js'

/**
 * `GET /log`: the log's origin, sealed tree size and root hash, its public key (PEM and C2SP
 * verifier key) and its actions. `GET /log/checkpoint`: the newest signed checkpoint note as text/plain.
 */
export function registerLogRoutes(
  app: Hono<{ Variables: AuthVariables }>,
  audit: AuditLog<string>,
  read: MiddlewareHandler<{ Variables: AuthVariables }>,
): void {
  app.get('/log', read, noQueryParameters, async (c) => {
    const head = await audit.treeHead()
    const latest = await audit.latestCheckpoint()
    return c.json({
      origin: latest?.origin ?? audit.origin,
      treeSize: head.treeSize,
      rootHash: head.rootHash,
      publicKey: audit.publicKey,
      verifierKey: audit.verifierKey,
      actions: audit.actions,
    })
  })
  app.get('/log/checkpoint', read, noQueryParameters, async (c) => {
    const latest = await audit.latestCheckpoint()
    if (latest === null) return problem(c, 404, 'no checkpoint has been signed yet')
    return c.text(latest.note, 200, { 'Content-Type': 'text/plain; charset=utf-8' })
  })
}
