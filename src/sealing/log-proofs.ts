import { IntegrityError, ValidationError } from '../errors.js'
import type { Store } from '../store/store.js'
import type { GetNode } from '../tlog/merkle-nodes.js'
import { consistencyProof, inclusionProof } from '../tlog/merkle-proofs.js'
import { type ConsistencyProof, encodeHash, type InclusionProof } from '../tlog/proofs.js'
import { MissingNodeError, nodeGetter, nodesRead, tilesFor } from '../tlog/tiles.js'
import { sameBytes } from '../tlog/tree-math.js'

/** Runs `compute` over the stored tiles it needs, fetched in one query. */
async function overTiles<T>(store: Store, compute: (getNode: GetNode) => T): Promise<T> {
  const tiles = await store.tiles(tilesFor(nodesRead(compute)))
  try {
    return compute(nodeGetter(tiles))
  } catch (error) {
    if (error instanceof MissingNodeError) {
      throw new IntegrityError('tree_damaged', `the stored tree is damaged (${error.message}): run verify()`, {
        cause: error,
      })
    }
    throw error
  }
}

function checkSize(field: string, value: unknown, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > max) {
    throw new ValidationError([{ field, message: `must be an integer from 0 to the sealed size (${max})` }])
  }
  return value as number
}

/**
 * The RFC 6962 inclusion proof of the entry sealed at `seq` in the tree of `treeSize` entries
 * (default: every sealed entry), from the stored tiles: a few rows, whatever the log's size.
 * Refuses with an IntegrityError when the entry as stored now does not hash to the leaf sealed
 * for it (`leaf_mismatch`) or is gone (`entry_missing`): a proof must never vouch for content
 * that was changed after sealing.
 */
export async function proveInclusionAt(store: Store, seq: number, treeSize: unknown): Promise<InclusionProof> {
  const { size } = await store.sealState()
  const n = treeSize === undefined ? size : checkSize('treeSize', treeSize, size)
  if (seq >= n) {
    throw new ValidationError([{ field: 'treeSize', message: `must be above the entry's seq (${seq})` }])
  }
  const [[sealed], proof] = await Promise.all([
    store.sealedRange(seq, seq + 1),
    overTiles(store, (getNode) => ({
      leafIndex: seq,
      treeSize: n,
      leaf: getNode(0, seq),
      auditPath: inclusionProof(seq, n, getNode).map(encodeHash),
    })),
  ])
  if (sealed?.row === null || sealed === undefined) {
    throw new IntegrityError('entry_missing', `the entry sealed at seq ${seq} is gone: run verify()`)
  }
  if (!sameBytes(sealed.row.leaf, proof.leaf)) {
    throw new IntegrityError(
      'leaf_mismatch',
      `the entry sealed at seq ${seq} (uuid ${sealed.uuid}) no longer hashes to its sealed leaf: it was changed after sealing; run verify()`,
    )
  }
  return { leafIndex: seq, treeSize: n, leafHash: encodeHash(proof.leaf), auditPath: proof.auditPath }
}

/** The hashes of the RFC 6962 consistency proof from `oldSize` to `newSize` entries, both within the sealed tree. */
export async function consistencyPath(store: Store, oldSize: unknown, newSize: unknown): Promise<Buffer[]> {
  const { size } = await store.sealState()
  const n = checkSize('newSize', newSize, size)
  const m = checkSize('oldSize', oldSize, n)
  return overTiles(store, (getNode) => consistencyProof(m, n, getNode))
}

/** The RFC 6962 consistency proof that the tree of `oldSize` entries is a prefix of the tree of `newSize`. */
export async function proveConsistencyOf(store: Store, oldSize: unknown, newSize: unknown): Promise<ConsistencyProof> {
  const path = await consistencyPath(store, oldSize, newSize)
  return { oldSize: oldSize as number, newSize: newSize as number, path: path.map(encodeHash) }
}
