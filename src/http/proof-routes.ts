import type { Context, Hono, MiddlewareHandler } from 'hono'
import { type AuditLog, ValidationError, type ValidationIssue } from '../index.js'
import type { AuthVariables } from './auth.js'
import { batchProofs } from './batch-proofs.js'
import { createCheckpointSigner } from './checkpoint-signer.js'
import { problem } from './problem.js'
import { noQueryParameters, queryOptions } from './query.js'

// The library names proveConsistency's arguments; the route names its parameters.
const PARAMETER_OF: Record<string, string> = { oldSize: 'from', newSize: 'to' }

/** `from` and `to` of the query string as tree sizes: each once, written as a non-negative integer. */
function treeSizes(c: Context): { from: number; to: number } {
  const options = queryOptions(c)
  const issues: ValidationIssue[] = []
  for (const name of Object.keys(options)) {
    if (name !== 'from' && name !== 'to') issues.push({ field: name, message: 'is not a known option' })
  }
  const sizes: Record<string, number> = {}
  for (const name of ['from', 'to']) {
    const value = options[name]
    if (value === undefined) issues.push({ field: name, message: 'is required' })
    else if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      issues.push({ field: name, message: 'must be a non-negative integer' })
    } else sizes[name] = Number(value)
  }
  if (issues.length > 0) throw new ValidationError(issues)
  return { from: sizes.from as number, to: sizes.to as number }
}

/**
 * `GET /events/:uuid/proof`: `{ entry, proof, checkpoint }`, an inclusion proof against a signed
 * checkpoint note covering the entry (a fresh one is signed when the newest does not, at most one
 * a second for the app), so that a client can run `verifyEntryInclusion` at once; 409 while the
 * entry is not sealed, or when no checkpoint can be had.
 * `GET /log/consistency?from=N&to=M`: a consistency proof between two tree sizes.
 * `GET /log/proofs?uuid=..`: proofs of up to 100 entries against one checkpoint (see `batchProofs`).
 */
export function registerProofRoutes(
  app: Hono<{ Variables: AuthVariables }>,
  audit: AuditLog<string>,
  read: MiddlewareHandler<{ Variables: AuthVariables }>,
): void {
  const signer = createCheckpointSigner(audit)
  app.get('/log/proofs', read, (c) => batchProofs(c, audit, signer))

  app.get('/events/:uuid/proof', read, noQueryParameters, async (c) => {
    const entry = await audit.getLog(c.req.param('uuid'))
    if (entry.seq === null) {
      return problem(
        c,
        409,
        `the entry ${entry.uuid} is not sealed yet: its proof can be had once the log seals it (try again shortly)`,
      )
    }
    const checkpoint = await signer.covering(entry.seq)
    if (checkpoint === null) {
      return problem(
        c,
        409,
        'no signed checkpoint covers this entry yet, and this server has no signing key to sign one',
      )
    }
    const proof = await audit.proveInclusion(entry.uuid, checkpoint.treeSize)
    return c.json({ entry, proof, checkpoint: checkpoint.note })
  })

  app.get('/log/consistency', read, async (c) => {
    const { from, to } = treeSizes(c)
    try {
      return c.json(await audit.proveConsistency(from, to))
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      throw new ValidationError(
        error.issues.map((issue) => ({ ...issue, field: PARAMETER_OF[issue.field] ?? issue.field })),
      )
    }
  })
}
