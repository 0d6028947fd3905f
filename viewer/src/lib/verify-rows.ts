// The badges: every visible sealed row checked in the browser, from the fields it is displayed
// with, against the one checkpoint of a proof batch, signed by the PINNED key (issue 11).
import { type InclusionProof, type LeafEntry, verifyCheckpoint, verifyEntryInclusion } from '../../../src/verify.js'
import { ApiError, apiJson } from './api.js'
import type { Badge, ProofBatch, WireEntry } from './types.js'

/** The batch route's limit. */
const BATCH = 100

interface CachedProof {
  readonly proof: InclusionProof
  readonly checkpoint: string
}

/**
 * What a verifier reports besides badges: each checkpoint it checked, and why it failed (null when
 * it verified). The badges of its rows wait for the promise it may return.
 */
export type CheckpointListener = (note: string, problem: string | null) => undefined | Promise<void>

/** Verifies rows, caching proofs (by uuid and tree size) and checkpoint checks between pages. */
export interface RowVerifier {
  verify(entries: readonly WireEntry[]): Promise<Map<string, Badge>>
}

/** The fields the leaf hash covers, exactly as the row shows them. */
function leafOf(entry: WireEntry): LeafEntry {
  const { uuid, targetUserUuid, adminUserUuid, action, ipAddress, userAgent, metadata, insertedAt } = entry
  return {
    uuid,
    targetUserUuid,
    adminUserUuid,
    action,
    ipAddress,
    userAgent,
    metadata: metadata as LeafEntry['metadata'],
    insertedAt,
  }
}

/**
 * A verifier for one log and one pinned key.
 *
 * @example
 * const badges = await createRowVerifier(key, pinned, origin, (note, problem) => problem && showKeyError(problem)).verify(page.entries)
 */
export function createRowVerifier(
  apiKey: string,
  pinnedKey: string,
  origin: string,
  onCheckpoint: CheckpointListener,
): RowVerifier {
  const proofs = new Map<string, CachedProof>()
  const checkpoints = new Map<string, Promise<string | null>>()

  // null when the note verifies with the pinned key, else the reason.
  const checkpointProblem = (note: string) => {
    let result = checkpoints.get(note)
    if (result === undefined) {
      result = verifyCheckpoint(note, [pinnedKey], { origin }).then(async (r) => {
        const problem = r.ok ? null : `${r.code}: ${r.detail}`
        await onCheckpoint(note, problem)?.catch(() => {})
        return problem
      })
      checkpoints.set(note, result)
    }
    return result
  }

  function take(batch: ProofBatch, badges: Map<string, Badge>): void {
    for (const item of batch.proofs) {
      if ('proof' in item) {
        if (batch.checkpoint !== null) proofs.set(item.uuid, { proof: item.proof, checkpoint: batch.checkpoint })
      } else if (item.status === 'unsealed') badges.set(item.uuid, { state: 'unsealed', reason: 'not sealed yet' })
      else badges.set(item.uuid, { state: 'failed', reason: `${item.status}: the server has no proof of this entry` })
    }
  }

  // A batch the server fails on (it refuses to prove an entry changed after sealing, say) is split
  // in halves until the entries it fails on are alone: those fail, the others are still checked.
  async function fetchProofs(uuids: readonly string[], badges: Map<string, Badge>): Promise<void> {
    if (uuids.length === 0) return
    if (uuids.length > BATCH) {
      await Promise.all([fetchProofs(uuids.slice(0, BATCH), badges), fetchProofs(uuids.slice(BATCH), badges)])
      return
    }
    try {
      take(await apiJson<ProofBatch>(apiKey, '/log/proofs', { uuid: uuids }), badges)
    } catch (error) {
      const serverFault = error instanceof ApiError && error.status >= 500
      if (serverFault && uuids.length > 1) {
        const half = Math.ceil(uuids.length / 2)
        await Promise.all([fetchProofs(uuids.slice(0, half), badges), fetchProofs(uuids.slice(half), badges)])
        return
      }
      const why = error instanceof Error ? error.message : String(error)
      for (const uuid of uuids) {
        badges.set(uuid, { state: 'failed', reason: `no proof: the server could not prove this entry (${why})` })
      }
    }
  }

  async function check(entry: WireEntry, cached: CachedProof): Promise<Badge> {
    const problem = await checkpointProblem(cached.checkpoint)
    if (problem !== null) {
      return { state: 'failed', reason: `the checkpoint is not signed by the pinned key: ${problem}`, ...cached }
    }
    const result = await verifyEntryInclusion(leafOf(entry), cached.proof, cached.checkpoint, [pinnedKey], { origin })
    if (result.ok)
      return {
        state: 'verified',
        reason: `verified: in the tree of ${result.checkpoint.treeSize} entries signed by the pinned key`,
        ...cached,
      }
    return { state: 'failed', reason: `${result.code}: ${result.detail}`, ...cached }
  }

  return {
    async verify(entries) {
      const badges = new Map<string, Badge>()
      const sealed = entries.filter((e) => e.seq !== null)
      for (const e of entries) if (e.seq === null) badges.set(e.uuid, { state: 'unsealed', reason: 'not sealed yet' })
      await fetchProofs(
        sealed.filter((e) => !proofs.has(e.uuid)).map((e) => e.uuid),
        badges,
      )
      await Promise.all(
        sealed.map(async (entry) => {
          const cached = proofs.get(entry.uuid)
          if (cached !== undefined) badges.set(entry.uuid, await check(entry, cached))
        }),
      )
      return badges
    },
  }
}
