import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto'
import { keyError, NoteError } from './note-error.js'

/** Signs note texts with one Ed25519 key; `verifierKey` is the public half to hand to verifiers. */
export interface NoteSigner {
  readonly name: string
  readonly keyId: number
  readonly verifierKey: string
  sign(message: Uint8Array): Uint8Array
}

/** Checks signatures made by one key, identified in signature lines by `name` and `keyId`. */
export interface NoteVerifier {
  readonly name: string
  readonly keyId: number
  verify(message: Uint8Array, signature: Uint8Array): boolean
}

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
const NAME = /^[^\p{White_Space}+\u0000-\u001f]+$/u

/**
 * Whether `name` may name a key: non-empty, no Unicode space, no `+`, no control character.
 *
 * @example
 * isValidKeyName('audit.example.com/log') // true
 */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.isWellFormed() && NAME.test(name)
}

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
export function parseVerifierKey(verifierKey: string): NoteVerifier {
  const parts = splitPlus(verifierKey, 3)
  if (parts === undefined) throw keyError('verifier key must have the form <name>+<key ID>+<key>')
  const [name, hex, encoded] = parts as [string, string, string]
  const raw = decodeKeyParts(name, hex, encoded, 'verifier')
  const keyId = Number.parseInt(hex, 16)
  if (keyId !== keyIdOf(name, Buffer.from([ED25519, ...raw]))) {
    throw keyError(`verifier key ID ${hex} does not match its key`)
  }
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' })
  return Object.freeze({
    name,
    keyId,
    verify: (message: Uint8Array, signature: Uint8Array) => verify(null, message, key, signature),
  })
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
  const encoded = Buffer.from([ED25519, ...raw])
  const keyId = keyIdOf(name, encoded)
  const hex = keyId.toString(16).padStart(8, '0')
  return { keyId, hex, verifierKey: `${name}+${hex}+${encoded.toString('base64')}` }
}

// SHA-256(name || "\n" || type byte || public key), first four bytes big-endian (c2sp.org/signed-note).
function keyIdOf(name: string, typedKey: Uint8Array): number {
  return createHash('sha256').update(`${name}\n`, 'utf8').update(typedKey).digest().readUInt32BE(0)
}

// The base64 key of a key string: type byte 0x01 then 32 bytes (a public key or a private seed).
function decodeKeyParts(name: string, hex: string, encoded: string, kind: string): Buffer {
  if (!isValidKeyName(name)) throw keyError(`${kind} key has an invalid name`)
  if (!/^[0-9a-f]{8}$/i.test(hex)) throw keyError(`${kind} key ID must be 8 hexadecimal digits`)
  const bytes = decodeBase64(encoded)
  if (bytes === undefined) throw keyError(`${kind} key is not canonical base64`)
  if (bytes[0] !== ED25519) throw keyError(`${kind} key is not an Ed25519 key (type byte 0x01)`)
  if (bytes.length !== 33) throw keyError(`${kind} key must hold 32 key bytes, found ${bytes.length - 1}`)
  return bytes.subarray(1)
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

// Only the canonical encoding is accepted, so that one signature has exactly one spelling in a note.
export function decodeBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64')
  return text !== '' && bytes.toString('base64') === text ? bytes : undefined
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

export function isKeyId(keyId: number): boolean {
  return Number.isInteger(keyId) && keyId >= 0 && keyId <= 0xffffffff
}
