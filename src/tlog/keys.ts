import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto'
import { ValidationError } from '../errors.js'
import type { Checkpoint } from './checkpoint.js'
import { runNode } from './node-crypto.js'
import { signerFromKey } from './note-keys.js'
import type { NoteSigner } from './signed-note.js'
import { isValidKeyName, type NoteKey, noteKeysSteps, type TrustedKey, type TrustedKeyInput } from './verifier-keys.js'
import { openCheckpointSteps, type VerifierOptions } from './verifiers.js'

/**
 * An Ed25519 public key: a PEM (SPKI) string, a node:crypto KeyObject (a private one stands for its
 * public half), or a C2SP verifier key string `<name>+<8 hex key ID>+<base64 key>`.
 *
 * @example
 * const key: PublicKeyInput = 'audit.example.com/log+1a2b3c4d+AR...' // or '-----BEGIN PUBLIC KEY-----\n...'
 */
export type PublicKeyInput = string | KeyObject

/**
 * One trusted public key, in any form Node.js takes: a C2SP verifier key string, a PEM string, a
 * KeyObject, or `{ name?, publicKey }` with the raw 32 bytes. PEM, KeyObject and unnamed keys are
 * named after the checkpoint's origin, as a log names its own signing key.
 *
 * @example
 * const key: KeyInput = fs.readFileSync('audit-2026.pub', 'utf8')
 */
export type KeyInput = PublicKeyInput | TrustedKey

/**
 * One trusted key or a list of them: every key a log signed checkpoints with, across rotations.
 *
 * @example
 * await audit.verify({ publicKey: [key2025, key2026] })
 */
export type KeySet = KeyInput | readonly KeyInput[]

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
 * The signed-note signer for a private key, named `origin` so that checkpoints find it.
 * Throws a ValidationError (field `signingKey`, or `origin`) for anything but an Ed25519 private key.
 *
 * @example
 * const note = signNote(formatCheckpoint({ origin, size, rootHash }), noteSignerFor(privateKeyPem, origin))
 */
export function noteSignerFor(signingKey: SigningKeyInput, origin: string): NoteSigner {
  checkOrigin(origin)
  return refuseAs('signingKey', () => signerFromKey(origin, signingKey))
}

const SPKI_ED25519_PREFIX_LENGTH = 12

/**
 * A key set as the browser-safe verifiers take it: C2SP strings and `{ name?, publicKey }` as they
 * are, PEM strings and KeyObjects as their raw 32 bytes. Throws a ValidationError naming `field`
 * (and the key's index in a list) for anything that is not an Ed25519 public key.
 *
 * @example
 * toTrustedKeys([pem2025, 'audit.example.com/log+1a2b3c4d+AR...'])
 */
export function toTrustedKeys(keys: unknown, field = 'publicKey'): TrustedKeyInput[] {
  const list: readonly unknown[] = Array.isArray(keys) ? keys : [keys]
  if (list.length === 0) throw new ValidationError([{ field, message: 'must hold at least one key' }])
  const out: TrustedKeyInput[] = []
  for (const [i, key] of list.entries()) {
    const where = Array.isArray(keys) ? `${field}[${i}]` : field
    const trusted = refuseAs(where, () => trustedKey(key))
    // Checked now (key ID, length, name), so that a bad key is refused before any note is read.
    refuseAs(where, () => runNode(noteKeysSteps(trusted, 'auditkit')))
    out.push(trusted)
  }
  return out
}

function trustedKey(key: unknown): TrustedKeyInput {
  if (typeof key === 'string' && !key.trimStart().startsWith('-----BEGIN')) return key
  if (typeof key === 'object' && key !== null && !(key instanceof KeyObject) && 'publicKey' in key) {
    return key as TrustedKey
  }
  if (typeof key !== 'string' && !(key instanceof KeyObject)) {
    throw new Error('must be a verifier key string, a PEM string, a KeyObject or { name?, publicKey }')
  }
  const object = key instanceof KeyObject && key.type === 'public' ? key : createPublicKey(key)
  if (object.asymmetricKeyType !== 'ed25519') {
    throw new Error(`must be an Ed25519 key, got ${object.asymmetricKeyType ?? object.type}`)
  }
  const raw = object.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX_LENGTH)
  return { publicKey: new Uint8Array(raw) }
}

/**
 * The keys of a key set ready to check signatures, unnamed ones named `origin`. Throws a
 * ValidationError naming `field` for a bad key.
 *
 * @example
 * noteKeysFor(publicKeyPem, 'audit.example.com/log')[0].verifierKey // 'audit.example.com/log+1a2b3c4d+AR...'
 */
export function noteKeysFor(keys: unknown, origin: string, field = 'publicKey'): NoteKey[] {
  checkOrigin(origin)
  const trusted = toTrustedKeys(keys, field)
  return refuseAs(field, () => runNode(noteKeysSteps(trusted, origin)))
}

/**
 * The C2SP verifier key (`<name>+<8 hex key ID>+<base64 of 0x01 and the key>`, the form
 * golang.org/x/mod/sumdb/note and transparency-log witnesses take) of an Ed25519 public key named
 * `origin`, as auditkit names the key that signs a log's checkpoints. A private key stands for its
 * public half; a verifier key string is returned as it is (after checking it). Throws a
 * ValidationError for anything else.
 *
 * @example
 * verifierKey(fs.readFileSync('audit.pub', 'utf8'), 'audit.example.com/prod') // 'audit.example.com/prod+1a2b3c4d+AR...'
 */
export function verifierKey(publicKey: PublicKeyInput, origin: string): string {
  return (noteKeysFor(publicKey, origin)[0] as NoteKey).verifierKey
}

/**
 * Verifies a signed checkpoint against a key set and returns what it says. Throws a NoteError
 * whose `code` says which check failed (`malformed`, `unknown_key`, `bad_signature`,
 * `wrong_origin`), or a ValidationError for a bad key (refused before the note is read).
 *
 * @example
 * const { origin, size, rootHash } = openCheckpoint(checkpointNote, publicKeyPem)
 */
export function openCheckpoint(note: string, keys: KeySet, options?: VerifierOptions): Checkpoint {
  const trusted = toTrustedKeys(keys)
  const { origin, size, rootHash, extensions } = runNode(openCheckpointSteps(note, trusted, options))
  return Object.freeze({ origin, size, rootHash, extensions })
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
