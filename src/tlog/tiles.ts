import { HASH_SIZE, nodeHash } from './merkle-hash.js'
import type { GetNode, NodeId } from './merkle-nodes.js'

/**
 * Interior hashes stored as tiles, after C2SP tlog-tiles: a tile at tile level `level` holds up to
 * 256 consecutive hashes of tree level `8 * level`, starting at node `256 * index`. Level 0 tiles
 * hold the leaf hashes. Every perfect node of the tree is in a tile or is at most 7 levels above
 * one, so any proof reads a handful of tiles and hashes at most 255 pairs per tile.
 */
export const TILE_HEIGHT = 8
/** Hashes per full tile. */
export const TILE_WIDTH = 2 ** TILE_HEIGHT

/** Which tile. */
export interface TileKey {
  readonly level: number
  readonly index: number
}

/** A tile as stored: its hashes concatenated, 32 bytes each, at most 256 of them. */
export interface Tile extends TileKey {
  readonly hashes: Buffer
}

/** A map key for a tile. */
export function tileId(level: number, index: number): string {
  return `${level}/${index}`
}

/** The tile holding the tile-level nodes under perfect node (level, index), and where they start in it. */
function locate(level: number, index: number): { key: TileKey; start: number; count: number } {
  const tileLevel = Math.floor(level / TILE_HEIGHT)
  const rise = level - tileLevel * TILE_HEIGHT
  const first = index * 2 ** rise
  const tileIndex = Math.floor(first / TILE_WIDTH)
  return { key: { level: tileLevel, index: tileIndex }, start: first - tileIndex * TILE_WIDTH, count: 2 ** rise }
}

/** The tiles holding these perfect nodes, without repeats. */
export function tilesFor(nodes: readonly NodeId[]): TileKey[] {
  const keys = new Map<string, TileKey>()
  for (const node of nodes) {
    const { key } = locate(node.level, node.index)
    keys.set(tileId(key.level, key.index), key)
  }
  return [...keys.values()]
}

/**
 * The nodes a computation over a tree reads: runs `compute` with a stand-in `getNode` that
 * records each (level, index) asked for. Proof and root computations ask for the same nodes
 * whatever the hashes are, so the recorded list is exactly what to fetch.
 */
export function nodesRead(compute: (getNode: GetNode) => unknown): NodeId[] {
  const ids: NodeId[] = []
  const zero = Buffer.alloc(HASH_SIZE)
  compute((level, index) => {
    ids.push({ level, index })
    return zero
  })
  return ids
}

/** Thrown when stored tiles do not hold a node they must hold: the stored tree is damaged. */
export class MissingNodeError extends Error {
  override readonly name = 'MissingNodeError'
}

/**
 * A `getNode` over loaded tiles: nodes on a tile level are read, nodes between tile levels are
 * hashed up from the tile below. Throws MissingNodeError for a node its tiles do not cover.
 */
export function nodeGetter(tiles: Iterable<Tile>): GetNode {
  const byId = new Map<string, Buffer>()
  for (const tile of tiles) byId.set(tileId(tile.level, tile.index), tile.hashes)
  return (level, index) => {
    const { key, start, count } = locate(level, index)
    const hashes = byId.get(tileId(key.level, key.index))
    if (hashes === undefined || hashes.length < (start + count) * HASH_SIZE) {
      throw new MissingNodeError(`the stored tiles lack node (${level}, ${index})`)
    }
    let layer: Buffer[] = []
    for (let i = start; i < start + count; i++) layer.push(hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))
    while (layer.length > 1) {
      const next: Buffer[] = []
      for (let i = 0; i < layer.length; i += 2) next.push(nodeHash(layer[i] as Buffer, layer[i + 1] as Buffer))
      layer = next
    }
    return layer[0] as Buffer
  }
}

/** The right-edge tiles that are not full in a tree of `size` leaves: the ones sealing appends to. */
export function partialTiles(size: number): TileKey[] {
  const keys: TileKey[] = []
  for (let level = 0, count = size; count > 0; level++, count = Math.floor(count / TILE_WIDTH)) {
    if (count % TILE_WIDTH !== 0) keys.push({ level, index: Math.floor(count / TILE_WIDTH) })
  }
  return keys
}

/**
 * Collects the nodes that sealing completes into tiles. Start it with the tree's partial tiles
 * (as {@link partialTiles} names them), feed it every node `MerkleFrontier.push` reports, and
 * write back `changed()`. Nodes must arrive in order, as `append` reports them.
 */
export class TileAppender {
  // Each tile: its stored hashes, then the hashes added since, as latin1 strings (see `sha256Text`).
  readonly #tiles = new Map<string, { key: TileKey; stored: Buffer | undefined; added: string[]; length: number }>()

  constructor(partial: Iterable<Tile>) {
    for (const tile of partial) {
      const length = tile.hashes.length / HASH_SIZE
      this.#tiles.set(tileId(tile.level, tile.index), {
        key: { level: tile.level, index: tile.index },
        stored: tile.hashes,
        added: [],
        length,
      })
    }
  }

  /**
   * Adds a completed node (as `MerkleFrontier.push` reports it) if it lies on a tile level; throws
   * MissingNodeError if it does not follow its tile's last hash.
   */
  add(level: number, index: number, hash: Buffer): void {
    if (level % TILE_HEIGHT === 0) this.addText(level, index, hash.toString('latin1'))
  }

  /** As {@link add}, for a hash held as a latin1 string (as `TextFrontier.push` reports it). */
  addText(level: number, index: number, hash: string): void {
    if (level % TILE_HEIGHT !== 0) return
    const key = { level: level / TILE_HEIGHT, index: Math.floor(index / TILE_WIDTH) }
    const id = tileId(key.level, key.index)
    let tile = this.#tiles.get(id)
    if (tile === undefined) {
      tile = { key, stored: undefined, added: [], length: 0 }
      this.#tiles.set(id, tile)
    }
    if (key.index * TILE_WIDTH + tile.length !== index) {
      throw new MissingNodeError(`tile ${id} holds ${tile.length} hashes; node ${index} does not follow them`)
    }
    tile.added.push(hash)
    tile.length++
  }

  /** Every tile that gained hashes, with all its hashes. */
  changed(): Tile[] {
    const tiles: Tile[] = []
    for (const { key, stored, added } of this.#tiles.values()) {
      if (added.length === 0) continue
      const more = Buffer.from(added.join(''), 'latin1')
      tiles.push({ ...key, hashes: stored === undefined ? more : Buffer.concat([stored, more]) })
    }
    return tiles
  }
}
