import { createPublicKey, generateKeyPairSync, KeyObject, verify } from 'node:crypto'
import { ValidationError } from '../errors.js'
import { type Checkpoint, parseCheckpoint } from './checkpoint.js'
import { NoteError, noteError } from './note-error.js'
import {
  isValidKeyName,
  type NoteSigner,
  type NoteVerifier,
  parseVerifierKey,
  signerFromKey,
  verifierKeyFor,
} from './note-keys.js'
import { openNote, parseNote } from './signed-note.js'

/**
 * An Ed25519 public key: a PEM (SPKI) string, a node:crypto KeyObject (a private one stands for its
 * public half), or a C2SP verifier key string `<name>+<8 hex key ID>+<base64 key>`.
 *
 * @example
 * const key: PublicKeyInput = 'audit.example.com/log+1a2b3c4d+AR...' // or '-----BEGIN PUBLIC KEY-----\n...'
 */
export type PublicKeyInput = string | KeyObject

/**
 * An Ed25519 private key: a PEM (PKCS8) string or a node:crypto KeyObject.
 *
 * @example
 * const key: SigningKeyInput = process.env.AUDIT_SIGNING_KEY! // '-----BEGIN PRIVATE KEY-----\n...'
 */
export type SigningKeyInput = string | KeyObject

/**
 * A new Ed25519 key pair as PEM strings: the private key in PKCS8, the public key in SPKI. Keep the
 * private key with the log that signs checkpoints; hand the public key to whoever verifies them.
 *
 * @example
 * const { privateKey, publicKey } = generateKeyPair()
 * privateKey.startsWith('-----BEGIN PRIVATE KEY-----') // true
 */
export function generateKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { format: 'pem', type: 'pkcs8' },
    publicKeyEncoding: { format: 'pem', type: 'spki' },
  })
  return Object.freeze({ privateKey, publicKey })
}

/**
 * The signed-note verifier for a public key. A PEM string or KeyObject gives the key named `origin`,
 * since a log signs its checkpoints under its origin; a verifier key string keeps its own name.
 * Throws a ValidationError (field `publicKey`, or `origin`) for anything but an Ed25519 public key.
 *
 * @example
 * openNote(note, [noteVerifierFor(publicKeyPem, 'audit.example.com/log')])
 */
export function noteVerifierFor(publicKey: PublicKeyInput, origin: string): NoteVerifier {
  const verifierFor = resolvePublicKey(publicKey)
  checkOrigin(origin)
  return verifierFor(origin)
}

/**
 * The signed-note signer for a private key, named `origin` so that {@link noteVerifierFor} finds it.
 * Throws a ValidationError (field `signingKey`, or `origin`) for anything but an Ed25519 private key.
 *
 * @example
 * const note = signNote(formatCheckpoint({ origin, size, rootHash }), noteSignerFor(privateKeyPem, origin))
 */
export function noteSignerFor(signingKey: SigningKeyInput, origin: string): NoteSigner {
  checkOrigin(origin)
  return refuseAs('signingKey', () => signerFromKey(origin, signingKey))
}

/**
 * Verifies a signed checkpoint against one public key and returns what it says. The verifier is named
 * after the checkpoint's origin (its first line). Throws a NoteError: `malformed-note`, `unverified`
 * (not signed by this key), `invalid-signature` or `malformed-checkpoint`; or a ValidationError for a bad key.
 *
 * @example
 * const { origin, size, rootHash } = openCheckpoint(checkpointNote, publicKeyPem)
 */
export function openCheckpoint(note: string, publicKey: PublicKeyInput): Checkpoint {
  if (typeof note !== 'string') throw noteError('checkpoint note must be a string')
  const verifierFor = resolvePublicKey(publicKey)
  const { text } = parseNote(note)
  const origin = text.slice(0, text.indexOf('\n'))
  // Checked here, not left to noteVerifierFor: an origin that cannot name a key is the note's fault.
  if (!verifierFor.named && !isValidKeyName(origin)) {
    throw new NoteError('malformed-checkpoint', 'checkpoint origin cannot name a key (empty, space, "+" or control)')
  }
  const checkpoint = parseCheckpoint(openNote(note, [verifierFor(origin)]).text)
  if (checkpoint.origin !== origin)
    throw new NoteError('malformed-checkpoint', 'checkpoint origin is not its first line')
  return checkpoint
}

/** A verifier maker: `named` keys (verifier key strings) ignore the origin they are given. */
type VerifierFor = ((origin: string) => NoteVerifier) & { readonly named: boolean }

// The key is checked before any note is read, so that a bad key is reported as such whatever the note.
function resolvePublicKey(publicKey: unknown): VerifierFor {
  if (isVerifierKeyString(publicKey)) {
    const verifier = refuseAs('publicKey', () => parseVerifierKey(publicKey))
    return Object.assign(() => verifier, { named: true })
  }
  const key = refuseAs('publicKey', () => ed25519PublicKey(publicKey))
  return Object.assign((origin: string) => verifierNamed(origin, key), { named: false })
}

// Verifies with the key object itself: rebuilding it from the verifier key string costs as much as a signature check.
function verifierNamed(name: string, key: KeyObject): NoteVerifier {
  const vkey = verifierKeyFor(name, key)
  const keyId = Number.parseInt(vkey.slice(name.length + 1, name.length + 9), 16)
  return Object.freeze({
    name,
    keyId,
    verify: (message: Uint8Array, signature: Uint8Array) => verify(null, message, key, signature),
  })
}

function ed25519PublicKey(key: unknown): KeyObject {
  if (typeof key !== 'string' && !(key instanceof KeyObject))
    throw new Error('must be a PEM string, a KeyObject or a verifier key')
  const object = key instanceof KeyObject && key.type === 'public' ? key : createPublicKey(key)
  if (object.asymmetricKeyType !== 'ed25519')
    throw new Error(`must be an Ed25519 key, got ${object.asymmetricKeyType ?? object.type}`)
  return object
}

// PEM always starts with its armour line; any other string can only be meant as a C2SP verifier key.
function isVerifierKeyString(key: unknown): key is string {
  return typeof key === 'string' && !key.trimStart().startsWith('-----BEGIN')
}

function checkOrigin(origin: string): void {
  if (!isValidKeyName(origin)) {
    throw new ValidationError([
      { field: 'origin', message: 'must be non-empty, with no spaces, "+" or control characters' },
    ])
  }
}

// note-keys reports bad keys as NoteError('malformed-key'); callers of this API passed a bad argument.
function refuseAs<T>(field: string, make: () => T): T {
  try {
    return make()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ValidationError([{ field, message: `is not a usable Ed25519 key: ${reason}` }])
  }
}
