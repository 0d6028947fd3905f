// The pure arithmetic of RFC 6962 trees, shared by the Node.js hot paths and the browser module.
import { sameBytes } from './bytes.js'

/** Size in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32

const EMPTY_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/**
 * A fresh copy of the root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
 *
 * @example
 * emptyRootBytes().length // 32
 */
export function emptyRootBytes(): Uint8Array {
  const out = new Uint8Array(HASH_SIZE)
  for (let i = 0; i < HASH_SIZE; i++) out[i] = Number.parseInt(EMPTY_HEX.slice(2 * i, 2 * i + 2), 16)
  return out
}

/**
 * The largest power of two smaller than n, for n > 1: where RFC 6962 splits a tree of n leaves.
 *
 * @example
 * splitPoint(5) // 4
 * splitPoint(8) // 4
 */
export function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/**
 * k when n is 2^k, else -1. Exact up to 2^53, where Math.log2 alone rounds (log2(2^53 - 1) is 53).
 *
 * @example
 * exactLog2(8) // 3
 * exactLog2(6) // -1
 */
export function exactLog2(n: number): number {
  const k = Math.round(Math.log2(n))
  return n >= 1 && 2 ** k === n ? k : -1
}

/**
 * Whether `value` is a Uint8Array holding exactly one hash. Never throws.
 *
 * @example
 * isHash(emptyRootBytes()) // true
 * isHash('e3b0c442...') // false
 */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE
}

/**
 * Whether `n` is a usable tree size or index: a non-negative safe integer. Never throws.
 *
 * @example
 * isCount(2 ** 53 - 1) // true
 * isCount(-1) // false
 */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

/**
 * Whether `list` is an array whose every slot (holes included) holds one hash. Never throws.
 *
 * @example
 * isHashList([emptyRootBytes()]) // true
 */
export function isHashList(list: unknown): list is readonly Uint8Array[] {
  if (!Array.isArray(list)) return false
  // An index loop, not every(): every() skips the holes of a sparse array.
  for (let i = 0; i < list.length; i++) if (!isHash(list[i])) return false
  return true
}

export { sameBytes }
