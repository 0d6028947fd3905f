// The history check (issue 11): the newest checkpoint seen is remembered per log; on every visit a
// consistency proof from it to the current checkpoint must verify, else the log's history changed.
import { type ConsistencyProof, verifyCheckpoint, verifyConsistencyProof } from '../../../src/verify.js'
import { ApiError, apiJson, apiText } from './api.js'
import { loadSeen, type Seen, saveSeen } from './storage.js'

/** What the check found: nothing, a checkpoint the pinned key did not sign, or a rewritten history. */
export interface HistoryResult {
  readonly keyError?: string
  /** When the last checkpoint this log's history no longer extends was seen. */
  readonly changedSince?: string
  /** The server has signed no checkpoint yet: nothing was checked. */
  readonly noCheckpoint?: true
}

// Whether the log still extends what was seen: same size and root, or a consistency proof from
// the remembered note to the current one. A record without its note (written by something else
// than this viewer) cannot be checked beyond size and root: it is replaced by the current one.
async function consistent(apiKey: string, seen: Seen, note: string, current: Seen, keys: string[], origin: string) {
  if (seen.treeSize === current.treeSize) return seen.rootHash === current.rootHash
  if (seen.treeSize === 0 || seen.note === undefined) return true
  const proof = await apiJson<ConsistencyProof>(apiKey, '/log/consistency', {
    from: seen.treeSize,
    to: current.treeSize,
  })
  return (await verifyConsistencyProof(proof, seen.note, note, keys, { origin })).ok
}

// A proof the server cannot give (a 4xx: sizes it does not have) is a failed check; an outage is not.
function refused(error: unknown): false {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false
  throw error
}

/**
 * Checks the served checkpoint against the pinned key and the remembered one; remembers it when
 * the history holds, and never when it does not (so that the warning stays until it is looked at).
 * `served`: a checkpoint note already fetched (a proof batch's), instead of `/log/checkpoint`'s.
 *
 * @example
 * const { keyError, changedSince } = await checkHistory(apiKey, pinnedKey, log.origin)
 */
export async function checkHistory(
  apiKey: string,
  pinnedKey: string,
  origin: string,
  served?: string,
): Promise<HistoryResult> {
  let note: string
  try {
    note = served ?? (await apiText(apiKey, '/log/checkpoint'))
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { noCheckpoint: true }
    throw error
  }
  const keys = [pinnedKey]
  const verified = await verifyCheckpoint(note, keys, { origin })
  if (!verified.ok) return { keyError: `${verified.code}: ${verified.detail}` }
  const { treeSize, rootHash } = verified.checkpoint
  const current: Seen = { treeSize, rootHash, seenAt: new Date().toISOString(), note }
  const seen = loadSeen(pinnedKey)
  if (seen !== null) {
    const ok = seen.treeSize <= treeSize && (await consistent(apiKey, seen, note, current, keys, origin).catch(refused))
    if (!ok) return { changedSince: seen.seenAt }
  }
  saveSeen(pinnedKey, current)
  return {}
}
