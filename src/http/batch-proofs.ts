import type { Context } from 'hono'
import {
  type AuditLog,
  type InclusionProof,
  IntegrityError,
  type IntegrityErrorCode,
  ValidationError,
} from '../index.js'
import type { CheckpointSigner } from './checkpoint-signer.js'
import { problem } from './problem.js'

/** The most entries one `GET /log/proofs` proves. */
export const MAX_BATCH_PROOFS = 100

/** One entry's answer in a batch of proofs. */
export type BatchProof =
  | { readonly uuid: string; readonly seq: number; readonly proof: InclusionProof }
  | { readonly uuid: string; readonly status: 'unsealed' | 'not_found' | IntegrityErrorCode; readonly detail?: string }

/** The `uuid` parameters of the request: 1 to {@link MAX_BATCH_PROOFS}, nothing else. */
function requestedUuids(c: Context): string[] {
  const names = Object.keys(c.req.queries()).filter((name) => name !== 'uuid')
  if (names.length > 0) {
    throw new ValidationError(names.map((field) => ({ field, message: 'is not a known option' })))
  }
  const uuids = c.req.queries('uuid') ?? []
  if (uuids.length === 0 || uuids.length > MAX_BATCH_PROOFS) {
    throw new ValidationError([
      { field: 'uuid', message: `must be given 1 to ${MAX_BATCH_PROOFS} times (got ${uuids.length})` },
    ])
  }
  return uuids
}

/**
 * `GET /log/proofs?uuid=..&uuid=..`: inclusion proofs of up to 100 entries against one signed
 * checkpoint that covers every sealed one of them (signed fresh when needed, as for one proof),
 * so that a client verifies a page of entries with one checkpoint: `{ checkpoint, treeSize,
 * proofs }`, one answer per uuid in the order asked (`unsealed`, `not_found`, or the
 * IntegrityError code of an entry the log will not vouch for, such as `leaf_mismatch`, instead of a
 * proof). `checkpoint` is null when none is sealed; 409 when no checkpoint can be had.
 */
export async function batchProofs(c: Context, audit: AuditLog<string>, signer: CheckpointSigner): Promise<Response> {
  const uuids = requestedUuids(c)
  const issues = uuids.flatMap((uuid, i) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)
      ? []
      : [{ field: `uuid[${i}]`, message: 'must be a UUID' }],
  )
  if (issues.length > 0) throw new ValidationError(issues)
  const entries = await Promise.all(uuids.map((uuid) => audit.findLog(uuid)))
  const seqs = entries.flatMap((e) => (e?.seq === null || e === null ? [] : [e.seq]))
  if (seqs.length === 0) {
    const proofs = entries.map((e, i) => ({ uuid: uuids[i], status: e === null ? 'not_found' : 'unsealed' }))
    return c.json({ checkpoint: null, treeSize: null, proofs })
  }
  const checkpoint = await signer.covering(Math.max(...seqs))
  if (checkpoint === null) {
    return problem(
      c,
      409,
      'no signed checkpoint covers these entries yet, and this server has no signing key to sign one',
    )
  }
  const proofs: BatchProof[] = await Promise.all(
    entries.map(async (entry, i): Promise<BatchProof> => {
      const uuid = uuids[i] as string
      if (entry === null) return { uuid, status: 'not_found' }
      if (entry.seq === null) return { uuid, status: 'unsealed' }
      try {
        return { uuid: entry.uuid, seq: entry.seq, proof: await audit.proveInclusion(entry.uuid, checkpoint.treeSize) }
      } catch (error) {
        // The log will not vouch for this entry (edited since it was sealed, say): said for it
        // alone, so that the rest of the page still verifies.
        if (error instanceof IntegrityError) return { uuid, status: error.code, detail: error.message }
        throw error
      }
    }),
  )
  return c.json({ checkpoint: checkpoint.note, treeSize: checkpoint.treeSize, proofs })
}
