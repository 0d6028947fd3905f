import { IntegrityError, StoreError } from '../errors.js'
import type { Store, StoredCheckpoint } from '../store/store.js'
import { formatCheckpoint } from '../tlog/checkpoint.js'
import { openCheckpoint } from '../tlog/keys.js'
import { verifyConsistency } from '../tlog/merkle.js'
import { frontierOf } from '../tlog/seal-batch.js'
import type { NoteSigner } from '../tlog/signed-note.js'
import { signNote } from '../tlog/signed-note.js'
import type { TrustedKeyInput } from '../tlog/verifier-keys.js'
import { consistencyPath } from './log-proofs.js'

/**
 * Signs the sealed tree head and stores the checkpoint, unless the newest checkpoint signed by a
 * trusted key (the log's own, or one it rotated away from) already covers the same tree (then
 * that one is returned). Refuses, with an IntegrityError `history_rewritten`, to sign a tree that
 * does not extend that checkpoint: the log would vouch for a rewritten history. Across a key
 * rotation the new key's first checkpoint is checked against the old key's last one.
 */
export async function signCheckpoint(
  store: Store,
  signer: NoteSigner,
  origin: string,
  keys: readonly TrustedKeyInput[],
): Promise<StoredCheckpoint> {
  const state = await store.sealState()
  const rootHash = frontierOf(state).root()
  const latest = await newestTrustedCheckpoint(store, keys, origin)
  if (latest !== null && !(await extendsCheckpoint(store, latest, state.size, rootHash))) {
    throw new IntegrityError(
      'history_rewritten',
      `refusing to sign: the sealed tree (${state.size} entries) does not extend stored checkpoint #${latest.id} (${latest.size} entries); the log was changed: run verify()`,
    )
  }
  if (latest !== null && latest.size === state.size) return latest
  const note = signNote(formatCheckpoint({ origin, size: state.size, rootHash }), signer)
  return store.addCheckpoint(state.size, rootHash, note, new Date())
}

// How many stored checkpoints checkpoint() looks through for the newest one a trusted key signed.
const OWN_CHECKPOINT_SEARCH = 1000

/**
 * The newest stored checkpoint of `origin` signed by a trusted key, with its size and root as its
 * note says (the columns beside it are not trusted), or null.
 */
async function newestTrustedCheckpoint(
  store: Store,
  keys: readonly TrustedKeyInput[],
  origin: string,
): Promise<StoredCheckpoint | null> {
  let row = await store.latestCheckpoint()
  for (let i = 0; row !== null && i < OWN_CHECKPOINT_SEARCH; i++) {
    try {
      const checkpoint = openCheckpoint(row.note, keys, { origin })
      return { ...row, size: checkpoint.size, rootHash: Buffer.from(checkpoint.rootHash) }
    } catch {
      // not signed by a trusted key, or not a checkpoint: look further back
    }
    row = await store.latestCheckpoint(row.id)
  }
  return null
}

/** Whether the tree of `size` entries with `rootHash` extends the checkpoint, by a consistency proof from the stored tiles. */
async function extendsCheckpoint(
  store: Store,
  checkpoint: StoredCheckpoint,
  size: number,
  rootHash: Buffer,
): Promise<boolean> {
  if (checkpoint.size > size) return false
  if (checkpoint.size === size) return checkpoint.rootHash.equals(rootHash)
  try {
    const path = await consistencyPath(store, checkpoint.size, size)
    return verifyConsistency(checkpoint.size, size, checkpoint.rootHash, rootHash, path)
  } catch (error) {
    if (error instanceof StoreError) throw error
    return false // tiles missing or damaged: not provably an extension
  }
}
