// Byte helpers on plain Uint8Arrays, for code that must run in a browser as well as in Node.js:
// no Buffer, no node:* import. atob/btoa are WHATWG globals in both.

const ENCODER = new TextEncoder()

/**
 * The UTF-8 bytes of a string.
 *
 * @example
 * utf8('é') // Uint8Array [0xc3, 0xa9]
 */
export function utf8(text: string): Uint8Array {
  return ENCODER.encode(text)
}

/**
 * Standard base64 (with padding) of bytes.
 *
 * @example
 * toBase64(new Uint8Array([1, 2, 3])) // 'AQID'
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/**
 * The bytes of canonical standard base64 (the one spelling `toBase64` gives), or undefined for
 * anything else: other characters, whitespace, missing or extra padding, non-zero pad bits, empty.
 * Never throws.
 *
 * @example
 * fromBase64('AQID') // Uint8Array [1, 2, 3]
 * fromBase64('AQI D') // undefined
 */
export function fromBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text === '' || text.length % 4 !== 0) return undefined
  let binary: string
  try {
    binary = atob(text)
  } catch {
    return undefined
  }
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return toBase64(bytes) === text ? bytes : undefined
}

/**
 * Whether two byte arrays hold the same bytes.
 *
 * @example
 * sameBytes(new Uint8Array([1]), new Uint8Array([1])) // true
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * The big-endian unsigned 32-bit integer at `offset`.
 *
 * @example
 * readUint32BE(new Uint8Array([0, 0, 1, 0]), 0) // 256
 */
export function readUint32BE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0
}

/**
 * Bytes joined end to end into a new array.
 *
 * @example
 * concatBytes(new Uint8Array([1]), new Uint8Array([2, 3])) // Uint8Array [1, 2, 3]
 */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * Lowercase hexadecimal of bytes.
 *
 * @example
 * toHex(new Uint8Array([0xab, 1])) // 'ab01'
 */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}
