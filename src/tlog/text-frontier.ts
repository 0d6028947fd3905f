import { ValidationError } from '../errors.js'
import type { MerkleFrontier } from './merkle-frontier.js'
import { emptyRoot, HASH_SIZE, nodeHashText } from './merkle-hash.js'

/**
 * The right edge of an RFC 6962 tree and its append, with hashes held as 32-character latin1
 * strings (see `sha256Text`), so that appending a leaf allocates no Buffer: sealing and verify()
 * use it directly, and {@link MerkleFrontier} keeps its state in one. Gives its state back as
 * Buffers.
 *
 * @example
 * const tree = TextFrontier.of(MerkleFrontier.fromHashes(size, hashes))
 * tree.push(sha256Text(leafMessage))
 */
export class TextFrontier {
  // #levels[L] is the root of the perfect subtree of 2^L leaves on the right edge; set exactly when bit L of #size is.
  readonly #levels: (string | undefined)[] = []
  #size: number

  private constructor(size: number) {
    this.#size = size
  }

  /** The same tree as `frontier`. */
  static of(frontier: MerkleFrontier): TextFrontier {
    return TextFrontier.fromHashes(frontier.size, frontier.hashes())
  }

  /**
   * The tree of `size` leaves with these right-edge hashes, left to right, as
   * `MerkleFrontier.hashes()` gives them. Unchecked: `MerkleFrontier.fromHashes` checks them.
   */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): TextFrontier {
    const tree = new TextFrontier(size)
    // The hashes run from the highest set bit of the size down to the lowest.
    let h = hashes.length - 1
    for (let level = 0, rest = size; rest > 0; level++, rest = Math.floor(rest / 2)) {
      if (rest % 2 === 1) {
        const hash = hashes[h--] as Uint8Array
        tree.#levels[level] = Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('latin1')
      }
    }
    return tree
  }

  /** The number of leaves appended. */
  get size(): number {
    return this.#size
  }

  /**
   * Appends one leaf hash (32 latin1 characters); completed perfect-subtree nodes, if wanted, go
   * to `onNode` (the leaf itself first), as `MerkleFrontier.push` reports them.
   */
  push(leaf: string, onNode?: (level: number, index: number, hash: string) => void): void {
    if (leaf.length !== HASH_SIZE)
      throw new ValidationError([{ field: 'leaf', message: `must be a ${HASH_SIZE}-byte hash` }])
    let hash = leaf
    let level = 0
    let index = this.#size
    onNode?.(0, index, hash)
    for (let left = this.#levels[0]; left !== undefined; left = this.#levels[level]) {
      this.#levels[level] = undefined
      hash = nodeHashText(left, hash)
      level++
      index = Math.floor(index / 2)
      onNode?.(level, index, hash)
    }
    this.#levels[level] = hash
    this.#size++
  }

  /**
   * Appends a perfect subtree of `2 ** height` leaves by its root (32 latin1 characters): the
   * tree the leaves one by one would give. The size must be a multiple of `2 ** height`.
   */
  pushSubtree(root: string, height: number): void {
    const width = 2 ** height
    if (root.length !== HASH_SIZE)
      throw new ValidationError([{ field: 'root', message: `must be a ${HASH_SIZE}-byte hash` }])
    if (!Number.isInteger(height) || height < 0 || this.#size % width !== 0)
      throw new ValidationError([
        { field: 'height', message: `a subtree of ${width} leaves cannot follow ${this.#size}` },
      ])
    let hash = root
    let level = height
    for (let left = this.#levels[level]; left !== undefined; left = this.#levels[level]) {
      this.#levels[level] = undefined
      hash = nodeHashText(left, hash)
      level++
    }
    this.#levels[level] = hash
    this.#size += width
  }

  /** The RFC 6962 root of the leaves so far (EMPTY_ROOT for none). */
  root(): Buffer {
    let root: string | undefined
    for (const hash of this.#levels) {
      if (hash !== undefined) root = root === undefined ? hash : nodeHashText(hash, root)
    }
    return root === undefined ? emptyRoot() : Buffer.from(root, 'latin1')
  }

  /** The right-edge hashes, left to right (biggest subtree first), as `MerkleFrontier.hashes()` gives them. */
  hashes(): Buffer[] {
    const out: Buffer[] = []
    for (let level = this.#levels.length - 1; level >= 0; level--) {
      const hash = this.#levels[level]
      if (hash !== undefined) out.push(Buffer.from(hash, 'latin1'))
    }
    return out
  }
}
