import type { Entry } from '../entry.js'
import { entryLeafHash } from './entry-leaf.js'
import { MerkleFrontier } from './merkle-frontier.js'
import { HASH_SIZE } from './merkle-hash.js'
import { TextFrontier } from './text-frontier.js'
import { type Tile, TileAppender } from './tiles.js'

/** The sealed tree as its state row stores it: the size and the right-edge hashes, concatenated. */
export interface TreeState {
  readonly size: number
  readonly frontier: Buffer
}

/** What sealing a batch produces, to be written in one transaction. */
export interface SealedBatch {
  /** The new state. */
  readonly state: TreeState
  /** The tiles that gained hashes (leaf tiles and interior ones), with all their hashes. */
  readonly tiles: Tile[]
}

/** The frontier stored in a state row. */
export function frontierOf(state: TreeState): MerkleFrontier {
  const hashes: Buffer[] = []
  for (let i = 0; i < state.frontier.length; i += HASH_SIZE) hashes.push(state.frontier.subarray(i, i + HASH_SIZE))
  return MerkleFrontier.fromHashes(state.size, hashes)
}

/**
 * Appends `entries` (in their sealing order) to the tree: one RFC 6962 leaf each, O(1) hashes
 * amortized per entry. `partial` are the stored tiles `partialTiles(state.size)` names.
 */
export function sealEntries(state: TreeState, partial: Iterable<Tile>, entries: readonly Entry[]): SealedBatch {
  return sealLeaves(state, partial, entries.map(entryLeafHash))
}

/** As {@link sealEntries}, for leaf hashes already computed (see `rowLeaf`). */
export function sealLeaves(state: TreeState, partial: Iterable<Tile>, leaves: readonly Buffer[]): SealedBatch {
  const batch = openBatch(state, partial)
  for (const leaf of leaves) batch.push(leaf)
  return batch.finish()
}

/** A batch being appended a leaf at a time (a caller can let the event loop turn between leaves). */
export interface OpenBatch {
  push(leaf: Buffer): void
  /** As `push`, for a leaf hash held as a latin1 string (`sha256Text`): the hot path. */
  pushText(leaf: string): void
  finish(): SealedBatch
}

/** Starts appending to the tree of `state`; `partial` are the stored tiles `partialTiles(state.size)` names. */
export function openBatch(state: TreeState, partial: Iterable<Tile>): OpenBatch {
  const frontier = TextFrontier.of(frontierOf(state))
  const tiles = new TileAppender(partial)
  const onNode = tiles.addText.bind(tiles)
  return {
    push: (leaf) => frontier.push(leaf.toString('latin1'), onNode),
    pushText: (leaf) => frontier.push(leaf, onNode),
    finish: () => ({
      state: { size: frontier.size, frontier: Buffer.concat(frontier.hashes()) },
      tiles: tiles.changed(),
    }),
  }
}
