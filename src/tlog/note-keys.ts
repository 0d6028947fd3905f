import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto'
import { fromBase64 } from './bytes.js'
import { runNode } from './node-crypto.js'
import { keyError, NoteError } from './note-error.js'
import { type NoteSigner, type OpenedNote, openNoteSteps } from './signed-note.js'
import { isValidKeyName, type NoteKey, noteKeySteps, parseVerifierKeySteps } from './verifier-keys.js'

export * from './note-error.js'
export * from './signed-note.js'
export * from './verifier-keys.js'

/** A new Ed25519 key in both the C2SP string encodings and as node:crypto key objects. */
export interface NoteKeyPair {
  readonly signerKey: string
  readonly verifierKey: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
}

const ED25519 = 0x01
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const DER8 = { format: 'der', type: 'pkcs8' } as const
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/**
 * Generates an Ed25519 key named `name`, returned as C2SP key strings and as key objects.
 *
 * @example
 * const { signerKey, verifierKey } = generateNoteKeyPair('audit.example.com/log')
 */
export function generateNoteKeyPair(name: string): NoteKeyPair {
  checkName(name)
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const encoded = encodeKey(name, rawPublicKey(publicKey))
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url')
  const signerKey = `PRIVATE+KEY+${name}+${encoded.hex}+${Buffer.from([ED25519, ...seed]).toString('base64')}`
  return Object.freeze({ signerKey, verifierKey: encoded.verifierKey, privateKey, publicKey })
}

/**
 * The verifier key string (`<name>+<key ID>+<base64 key>`) for an Ed25519 public key, or for the public half of a private key.
 *
 * @example
 * verifierKeyFor('audit.example.com/log', publicKeyPem) // 'audit.example.com/log+1a2b3c4d+AR...'
 */
export function verifierKeyFor(name: string, publicKey: KeyObject | string): string {
  checkName(name)
  return encodeKey(name, rawPublicKey(toPublicKey(publicKey))).verifierKey
}

/**
 * A signer for an Ed25519 private key given as a KeyObject or a PEM string.
 *
 * @example
 * const signer = signerFromKey('audit.example.com/log', process.env.AUDIT_SIGNING_KEY_PEM!)
 */
export function signerFromKey(name: string, privateKey: KeyObject | string): NoteSigner {
  checkName(name)
  return makeSigner(name, toPrivateKey(privateKey))
}

/**
 * A signer from a `PRIVATE+KEY+<name>+<key ID>+<base64 key>` string, as made by {@link generateNoteKeyPair} or Go's note.GenerateKey.
 *
 * @example
 * const signer = parseSignerKey(process.env.AUDIT_SIGNER_KEY!)
 */
export function parseSignerKey(signerKey: string): NoteSigner {
  const parts = splitPlus(signerKey, 5)
  if (parts?.[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    throw keyError('signer key must have the form PRIVATE+KEY+<name>+<key ID>+<key>')
  }
  const [, , name, hex, encoded] = parts as [string, string, string, string, string]
  const seed = decodeKeyParts(name, hex, encoded, 'signer')
  const signer = makeSigner(name, createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), ...DER8 }))
  if (signer.keyId !== Number.parseInt(hex, 16)) throw keyError(`signer key ID ${hex} does not match its key`)
  return signer
}

/**
 * A verifier from a `<name>+<key ID>+<base64 key>` string.
 *
 * @example
 * const verifier = parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')
 */
export function parseVerifierKey(verifierKey: string): NoteKey {
  return runNode(parseVerifierKeySteps(verifierKey))
}

/**
 * Verifies a signed note against known keys and returns its text, synchronously with node:crypto.
 * Throws NoteError unless at least one known key signed it and every signature by a known key is
 * valid; signatures by unknown keys are listed, not trusted.
 *
 * @example
 * const { text } = openNote(note, [parseVerifierKey(trustedVerifierKey)])
 */
export function openNote(note: string | Uint8Array, keys: readonly NoteKey[]): OpenedNote {
  return runNode(openNoteSteps(note, keys))
}

/**
 * Whether {@link openNote} accepts the note; any other error than a NoteError is still thrown.
 *
 * @example
 * if (!verifyNote(note, [key])) throw new Error('checkpoint is not signed by the log')
 */
export function verifyNote(note: string | Uint8Array, keys: readonly NoteKey[]): boolean {
  try {
    openNote(note, keys)
    return true
  } catch (error) {
    if (error instanceof NoteError) return false
    throw error
  }
}

function makeSigner(name: string, privateKey: KeyObject): NoteSigner {
  const { keyId, verifierKey } = encodeKey(name, rawPublicKey(createPublicKey(privateKey)))
  return Object.freeze({
    name,
    keyId,
    verifierKey,
    sign: (message: Uint8Array) => new Uint8Array(sign(null, message, privateKey)),
  })
}

function encodeKey(name: string, raw: Uint8Array): { keyId: number; hex: string; verifierKey: string } {
  const { keyId, verifierKey } = runNode(noteKeySteps(name, raw))
  return { keyId, hex: keyId.toString(16).padStart(8, '0'), verifierKey }
}

// The base64 key of a key string: type byte 0x01 then 32 bytes (a public key or a private seed).
function decodeKeyParts(name: string, hex: string, encoded: string, kind: string): Buffer {
  if (!isValidKeyName(name)) throw keyError(`${kind} key has an invalid name`)
  if (!/^[0-9a-f]{8}$/i.test(hex)) throw keyError(`${kind} key ID must be 8 hexadecimal digits`)
  const bytes = fromBase64(encoded)
  if (bytes === undefined) throw keyError(`${kind} key is not canonical base64`)
  if (bytes[0] !== ED25519) throw keyError(`${kind} key is not an Ed25519 key (type byte 0x01)`)
  if (bytes.length !== 33) throw keyError(`${kind} key must hold 32 key bytes, found ${bytes.length - 1}`)
  return Buffer.from(bytes.subarray(1))
}

export function checkName(name: string): void {
  if (!isValidKeyName(name)) throw keyError('key name must be non-empty, with no spaces, "+" or control characters')
}

function toPublicKey(key: KeyObject | string): KeyObject {
  const object = keyObject(key, (k) => createPublicKey(k))
  return checkEd25519(object.type === 'private' ? createPublicKey(object) : object)
}

function toPrivateKey(key: KeyObject | string): KeyObject {
  const object = checkEd25519(keyObject(key, (k) => createPrivateKey(k)))
  if (object.type !== 'private') throw keyError('expected a private key')
  return object
}

function keyObject(key: KeyObject | string, fromPem: (pem: string) => KeyObject): KeyObject {
  if (key instanceof KeyObject) return key
  if (typeof key !== 'string') throw keyError('key must be a KeyObject or a PEM string')
  try {
    return fromPem(key)
  } catch (cause) {
    throw new NoteError('malformed-key', 'key is not a PEM key that node:crypto can read', { cause })
  }
}

function checkEd25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw keyError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`)
  return key
}

function rawPublicKey(publicKey: KeyObject): Uint8Array {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length)
}

function splitPlus(text: string, count: number): string[] | undefined {
  if (typeof text !== 'string') return undefined
  const parts: string[] = []
  let rest = text
  for (let i = 1; i < count; i++) {
    const plus = rest.indexOf('+')
    if (plus < 0) return undefined
    parts.push(rest.slice(0, plus))
    rest = rest.slice(plus + 1)
  }
  return [...parts, rest]
}
