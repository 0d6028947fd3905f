import { ValidationError } from '../errors.js'
import { HASH_SIZE, isCount, isHash, isHashList } from './merkle-hash.js'
import { type GetNode, type MerkleNode, perfectSubtrees, readNode } from './merkle-nodes.js'
import { TextFrontier } from './text-frontier.js'

/**
 * A {@link MerkleFrontier} as plain JSON: the tree size and the right-edge hashes in hex, left to
 * right (biggest subtree first).
 *
 * @example
 * const saved: MerkleFrontierJSON = { size: 3, hashes: ['fac542...', '0298d1...'] }
 */
export interface MerkleFrontierJSON {
  readonly size: number
  readonly hashes: readonly string[]
}

const HEX_HASH = new RegExp(`^[0-9a-f]{${2 * HASH_SIZE}}$`, 'i')

/**
 * An append-only RFC 6962 tree that keeps only its right edge: the roots of the perfect subtrees
 * that make up its leaves, one per set bit of `size`, so O(log n) hashes. `append` costs O(1)
 * hashes amortized (O(log n) at worst) and reports every perfect-subtree node it completes, so a
 * caller that stores them all can later serve proofs with {@link inclusionProof} and
 * {@link consistencyProof}. Save it with `toJSON()` and resume with `fromJSON()`, or rebuild it
 * from the stored nodes with `fromNodes()`.
 *
 * @example
 * const tree = new MerkleFrontier()
 * for (const node of tree.append(leafHash(entryBytes))) store.put(node.level, node.index, node.hash)
 * tree.root() // equals rootFromLeaves(every leaf hash appended so far)
 */
export class MerkleFrontier {
  // The right edge, kept by the append that sealing and verify() use (hashes as latin1 strings);
  // this class checks its inputs and speaks Buffers.
  #tree = TextFrontier.fromHashes(0, [])

  /**
   * A frontier from its size and right-edge hashes, left to right, as `hashes()` gives them.
   * Throws a ValidationError when the count or length of the hashes does not fit the size.
   *
   * @example
   * const resumed = MerkleFrontier.fromHashes(tree.size, tree.hashes())
   */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): MerkleFrontier {
    if (!isCount(size)) throw new ValidationError([{ field: 'size', message: 'must be a non-negative safe integer' }])
    const levels = levelsOf(size)
    if (!isHashList(hashes) || hashes.length !== levels.length) {
      const message = `must be ${levels.length} hashes of ${HASH_SIZE} bytes for size ${size}`
      throw new ValidationError([{ field: 'hashes', message }])
    }
    const frontier = new MerkleFrontier()
    frontier.#tree = TextFrontier.fromHashes(size, hashes)
    return frontier
  }

  /**
   * A frontier from the output of `toJSON()` (or that output after JSON.parse). Throws a
   * ValidationError on anything else.
   *
   * @example
   * const resumed = MerkleFrontier.fromJSON(JSON.parse(savedText))
   */
  static fromJSON(json: unknown): MerkleFrontier {
    const { size, hashes } = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>
    if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string' && HEX_HASH.test(h))) {
      const message = `must be an array of ${2 * HASH_SIZE}-digit hex strings`
      throw new ValidationError([{ field: 'hashes', message }])
    }
    return MerkleFrontier.fromHashes(
      size as number,
      hashes.map((h: string) => Buffer.from(h, 'hex')),
    )
  }

  /**
   * A frontier rebuilt from stored perfect nodes: reads the O(log n) roots of the right edge of
   * the tree of `size` leaves. Errors thrown by `getNode` pass through.
   *
   * @example
   * const resumed = MerkleFrontier.fromNodes(await store.leafCount(), (level, index) => nodes.get(level, index))
   */
  static fromNodes(size: number, getNode: GetNode): MerkleFrontier {
    if (!isCount(size)) throw new ValidationError([{ field: 'size', message: 'must be a non-negative safe integer' }])
    const hashes = perfectSubtrees(0, size).map((id) => readNode(getNode, id.level, id.index))
    return MerkleFrontier.fromHashes(size, hashes)
  }

  /**
   * The number of leaves appended.
   *
   * @example
   * new MerkleFrontier().size // 0
   */
  get size(): number {
    return this.#tree.size
  }

  /**
   * Appends one leaf hash and returns the perfect-subtree nodes this completed, lowest first: the
   * leaf itself at level 0, then one node per level whose subtree the leaf filled. Storing every
   * returned node keeps every perfect subtree of the tree. Throws a ValidationError unless
   * `leaf` is 32 bytes.
   *
   * @example
   * tree.append(leafHash(Buffer.from('entry 3'))) // size 3 -> 4: nodes (0, 3), (1, 1), (2, 0)
   */
  append(leaf: Uint8Array): MerkleNode[] {
    if (!isHash(leaf)) throw new ValidationError([{ field: 'leaf', message: `must be a ${HASH_SIZE}-byte hash` }])
    const nodes: MerkleNode[] = []
    // Copies out, so that a caller who changes a reported node cannot change the tree.
    this.push(Buffer.from(leaf), (level, index, hash) => nodes.push({ level, index, hash: Buffer.from(hash) }))
    return nodes
  }

  /**
   * Appends one leaf hash like `append`, without copying `leaf` (the caller must not change it
   * afterwards) and without building a list: completed nodes, if wanted, go to `onNode` (the leaf
   * itself first). The sealing and verification hot path.
   *
   * @example
   * for (const leaf of recomputedLeaves) tree.push(leaf)
   */
  push(leaf: Buffer, onNode?: (level: number, index: number, hash: Buffer) => void): void {
    if (!isHash(leaf)) throw new ValidationError([{ field: 'leaf', message: `must be a ${HASH_SIZE}-byte hash` }])
    if (this.#tree.size >= Number.MAX_SAFE_INTEGER) {
      throw new ValidationError([{ field: 'size', message: 'would pass Number.MAX_SAFE_INTEGER' }])
    }
    const report =
      onNode && ((level: number, index: number, hash: string) => onNode(level, index, Buffer.from(hash, 'latin1')))
    this.#tree.push(Buffer.from(leaf.buffer, leaf.byteOffset, HASH_SIZE).toString('latin1'), report)
  }

  /**
   * The RFC 6962 root of the leaves appended so far (EMPTY_ROOT for none). O(log n) hashes.
   *
   * @example
   * new MerkleFrontier().root().equals(EMPTY_ROOT) // true
   */
  root(): Buffer {
    return this.#tree.root()
  }

  /**
   * Copies of the right-edge hashes, left to right (biggest subtree first).
   *
   * @example
   * MerkleFrontier.fromHashes(tree.size, tree.hashes()).root() // equals tree.root()
   */
  hashes(): Buffer[] {
    return this.#tree.hashes()
  }

  /**
   * The size and right-edge hashes as JSON, for `fromJSON()` after a restart.
   *
   * @example
   * const savedText = JSON.stringify(tree) // '{"size":3,"hashes":["fac542...","0298d1..."]}'
   */
  toJSON(): MerkleFrontierJSON {
    return { size: this.#tree.size, hashes: this.hashes().map((h) => h.toString('hex')) }
  }
}

/** The levels of the right edge of a tree of `size` leaves (its set bits), highest first. */
function levelsOf(size: number): number[] {
  const levels: number[] = []
  for (let level = 0, rest = size; rest > 0; level++, rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) levels.unshift(level)
  }
  return levels
}
