import { concatBytes, fromBase64, readUint32BE, sameBytes, toBase64, utf8 } from './bytes.js'
import { keyError, NoteError } from './note-error.js'
import { type Steps, sha256 } from './steps.js'

/**
 * A public key trusted to sign checkpoints, for the browser-safe verifiers: its raw 32-byte Ed25519
 * key and, optionally, its name (by default the key is named after the checkpoint's origin, as
 * auditkit names its own signing key).
 *
 * @example
 * const key: TrustedKey = { name: 'audit.example.com/log', publicKey: raw32Bytes }
 */
export interface TrustedKey {
  readonly name?: string | undefined
  readonly publicKey: Uint8Array
}

/** One trusted key: a C2SP verifier key string (`<name>+<key ID>+<base64 key>`) or a {@link TrustedKey}. */
export type TrustedKeyInput = string | TrustedKey

/**
 * The keys a verifier trusts: one, or a list (every key a log has signed with, across rotations).
 *
 * @example
 * const keys: TrustedKeys = ['audit.example.com/log+1a2b3c4d+AR...', 'audit.example.com/log+5e6f7a8b+AT...']
 */
export type TrustedKeys = TrustedKeyInput | readonly TrustedKeyInput[]

/** A key ready to check note signatures: its name and 32-bit key ID as signature lines give them, and the raw key. */
export interface NoteKey {
  readonly name: string
  readonly keyId: number
  readonly publicKey: Uint8Array
  /** The key as a C2SP verifier key string. */
  readonly verifierKey: string
}

const ED25519 = 0x01
// Keys are resolved once: verify() opens every stored checkpoint with the same few keys, and the
// key objects node:crypto and WebCrypto build are cached by the identity of NoteKey.publicKey.
const CACHE_LIMIT = 256
const byString = new Map<string, NoteKey>()
const byBytes = new WeakMap<Uint8Array, Map<string, NoteKey>>()
const NAME = /^[^\p{White_Space}+\u0000-\u001f]+$/u
const MAX_KEYS = 100

/**
 * Whether `name` may name a key: non-empty, no Unicode space, no `+`, no control character.
 *
 * @example
 * isValidKeyName('audit.example.com/log') // true
 */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.isWellFormed() && NAME.test(name)
}

/** Whether `keyId` is a 32-bit unsigned integer. */
export function isKeyId(keyId: number): boolean {
  return Number.isInteger(keyId) && keyId >= 0 && keyId <= 0xffffffff
}

/**
 * Inside a rule: the {@link NoteKey} for a raw Ed25519 key named `name`. Its key ID is the first
 * four bytes, big-endian, of SHA-256(name || "\n" || 0x01 || key) (c2sp.org/signed-note).
 */
export function* noteKeySteps(name: string, publicKey: Uint8Array): Steps<NoteKey> {
  const cached = byBytes.get(publicKey)?.get(name)
  // The cache is keyed by the array; a caller who changed its bytes since gets them hashed again.
  if (cached !== undefined && sameBytes(cached.publicKey, publicKey)) return cached
  const key = yield* computeNoteKey(name, publicKey)
  const names = byBytes.get(publicKey) ?? new Map<string, NoteKey>()
  byBytes.set(publicKey, names)
  if (names.size < CACHE_LIMIT) names.set(name, key)
  return key
}

function* computeNoteKey(name: string, publicKey: Uint8Array): Steps<NoteKey> {
  if (!isValidKeyName(name)) throw keyError('key name must be non-empty, with no spaces, "+" or control characters')
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw keyError('an Ed25519 public key is 32 bytes')
  }
  const typed = concatBytes(new Uint8Array([ED25519]), publicKey)
  const keyId = readUint32BE(yield* sha256(concatBytes(utf8(`${name}\n`), typed)), 0)
  const hex = keyId.toString(16).padStart(8, '0')
  return Object.freeze({ name, keyId, publicKey: typed.slice(1), verifierKey: `${name}+${hex}+${toBase64(typed)}` })
}

/** Inside a rule: the {@link NoteKey} of a C2SP verifier key string; throws NoteError `bad_key` unless its key ID matches its key. */
export function* parseVerifierKeySteps(verifierKey: string): Steps<NoteKey> {
  const cached = byString.get(verifierKey)
  if (cached !== undefined) return cached
  const key = yield* parseKeyString(verifierKey)
  if (byString.size >= CACHE_LIMIT) byString.clear()
  byString.set(verifierKey, key)
  return key
}

function* parseKeyString(verifierKey: string): Steps<NoteKey> {
  // The base64 key may itself hold '+': only the first two separate fields.
  const first = typeof verifierKey === 'string' ? verifierKey.indexOf('+') : -1
  const second = first < 0 ? -1 : verifierKey.indexOf('+', first + 1)
  if (second < 0) throw keyError('verifier key must have the form <name>+<key ID>+<key>')
  const name = verifierKey.slice(0, first)
  const hex = verifierKey.slice(first + 1, second)
  const encoded = verifierKey.slice(second + 1)
  if (!isValidKeyName(name)) throw keyError('verifier key has an invalid name')
  if (!/^[0-9a-f]{8}$/i.test(hex)) throw keyError('verifier key ID must be 8 hexadecimal digits')
  const bytes = fromBase64(encoded)
  if (bytes === undefined) throw keyError('verifier key is not canonical base64')
  if (bytes[0] !== ED25519) throw keyError('verifier key is not an Ed25519 key (type byte 0x01)')
  if (bytes.length !== 33) throw keyError(`verifier key must hold 32 key bytes, found ${bytes.length - 1}`)
  const key = yield* noteKeySteps(name, bytes.subarray(1))
  if (key.keyId !== Number.parseInt(hex, 16)) throw keyError(`verifier key ID ${hex} does not match its key`)
  return key
}

/**
 * Inside a rule: every trusted key as a {@link NoteKey}, unnamed ones named `origin`. Throws
 * NoteError `bad_key` for a key that is not an Ed25519 public key or an empty list.
 */
export function* noteKeysSteps(keys: TrustedKeys, origin: string): Steps<NoteKey[]> {
  const list: readonly unknown[] = Array.isArray(keys) ? keys : [keys]
  if (list.length === 0) throw keyError('no trusted key was given')
  if (list.length > MAX_KEYS) throw keyError(`more than ${MAX_KEYS} trusted keys`)
  const out: NoteKey[] = []
  for (let i = 0; i < list.length; i++) {
    const key = list[i]
    try {
      if (typeof key === 'string') out.push(yield* parseVerifierKeySteps(key))
      else if (typeof key === 'object' && key !== null && 'publicKey' in key) {
        const { name, publicKey } = key as TrustedKey
        out.push(yield* noteKeySteps(name ?? origin, publicKey))
      } else throw keyError('must be a verifier key string or { name?, publicKey }')
    } catch (error) {
      if (!(error instanceof NoteError)) throw error
      throw new NoteError('malformed-key', `trusted key ${i}: ${error.message}`, { cause: error })
    }
  }
  return out
}
