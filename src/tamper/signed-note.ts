import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto'

/** Why a {@link NoteError} was thrown. */
export type NoteErrorReason =
  | 'malformed-note'
  | 'malformed-key'
  | 'malformed-checkpoint'
  | 'unverified'
  | 'invalid-signature'
  | 'ambiguous-key'

/**
 * A signed note, a key or a checkpoint was refused. `reason` says which check failed; the message says where.
 *
 * @example
 * try { openNote(text, [verifier]) } catch (e) { if (e instanceof NoteError && e.reason === 'unverified') reject() }
 */
export class NoteError extends Error {
  override readonly name = 'NoteError'
  constructor(
    readonly reason: NoteErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

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

/** One signature line: the key's name, its 32-bit key ID, and the base64 exactly as written in the note. */
export interface NoteSignature {
  readonly name: string
  readonly keyId: number
  readonly signature: string
}

/** A note split into its text (with its final newline) and its signature lines, nothing verified. */
export interface ParsedNote {
  readonly text: string
  readonly signatures: readonly NoteSignature[]
}

/** A note whose text is vouched for by every key in `verifiedBy`; `unverified` lists signatures by unknown keys. */
export interface OpenedNote {
  readonly text: string
  readonly verifiedBy: readonly NoteSignature[]
  readonly unverified: readonly NoteSignature[]
}

/** A new Ed25519 key in both the C2SP string encodings and as node:crypto key objects. */
export interface NoteKeyPair {
  readonly signerKey: string
  readonly verifierKey: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
}

const ED25519 = 0x01
// golang.org/x/mod/sumdb/note refuses notes with more; the spec requires accepting at least 16.
const MAX_SIGNATURES = 100
const SIGNATURE_PREFIX = '\u2014 '
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const DER8 = { format: 'der', type: 'pkcs8' } as const
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/
const NAME = /^[^\p{White_Space}+\u0000-\u001f]+$/u
// ignoreBOM keeps a leading U+FEFF in the text, so the signed bytes are the bytes received.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

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
 * const { signerKey, verifierKey } = generateKeyPair('audit.example.com/log')
 */
export function generateKeyPair(name: string): NoteKeyPair {
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
 * A signer from a `PRIVATE+KEY+<name>+<key ID>+<base64 key>` string, as made by {@link generateKeyPair} or Go's note.GenerateKey.
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

/**
 * Signs `text` (which must end in a newline) with one or more keys; returns the signed note.
 *
 * @example
 * const note = signNote('audit.example.com/log\n42\n' + rootBase64 + '\n', signer)
 */
export function signNote(text: string, signer: NoteSigner, ...more: NoteSigner[]): string {
  checkText(text)
  if (!text.endsWith('\n')) throw noteError('note text must end with a newline')
  const message = Buffer.from(text, 'utf8')
  const seen = new Set<string>()
  let lines = ''
  for (const s of [signer, ...more]) {
    if (!isValidKeyName(s.name) || !isKeyId(s.keyId)) throw keyError(`invalid signer name or key ID: ${s.name}`)
    const id = keyLabel(s.name, s.keyId)
    if (seen.has(id)) throw new NoteError('ambiguous-key', `signer ${id} given twice`)
    seen.add(id)
    const head = Buffer.alloc(4)
    head.writeUInt32BE(s.keyId)
    lines += `${SIGNATURE_PREFIX}${s.name} ${Buffer.concat([head, s.sign(message)]).toString('base64')}\n`
  }
  return `${text}\n${lines}`
}

/**
 * Splits a signed note into text and signature lines, checking syntax only; nothing is verified.
 *
 * @example
 * parseNote(note).signatures.map((s) => s.name) // ['audit.example.com/log']
 */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const whole = toNoteString(note)
  checkText(whole)
  const split = whole.lastIndexOf('\n\n')
  if (split < 0) throw noteError('note has no blank line before its signatures')
  const block = whole.slice(split + 2)
  if (block === '') throw noteError('note has no signature lines')
  if (!block.endsWith('\n')) throw noteError('note does not end with a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_SIGNATURES) throw noteError(`note has more than ${MAX_SIGNATURES} signatures`)
  return Object.freeze({ text: whole.slice(0, split + 1), signatures: Object.freeze(lines.map(parseSignatureLine)) })
}

/**
 * Verifies a signed note against known keys and returns its text. Throws NoteError unless at least one known
 * key signed it and every signature by a known key is valid; signatures by unknown keys are listed, not trusted.
 *
 * @example
 * const { text } = openNote(note, [parseVerifierKey(trustedVerifierKey)])
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = parseNote(note)
  const message = Buffer.from(text, 'utf8')
  const verifiedBy: NoteSignature[] = []
  const unverified: NoteSignature[] = []
  const seen = new Set<string>()
  for (const sig of signatures) {
    const label = keyLabel(sig.name, sig.keyId)
    const known = verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId)
    if (known.length > 1) throw new NoteError('ambiguous-key', `more than one verifier for key ${label}`)
    // The spec says every signature by a known key MUST be checked, repeats included; each key is listed once.
    if (known.length === 1 && !safeVerify(known[0]!, message, Buffer.from(sig.signature, 'base64').subarray(4))) {
      throw new NoteError('invalid-signature', `invalid signature for key ${label}`)
    }
    const list = known.length === 1 ? verifiedBy : unverified
    const once = known.length === 1 ? label : `${sig.name} ${sig.signature}`
    if (!seen.has(once)) list.push(sig)
    seen.add(once)
  }
  if (verifiedBy.length === 0) {
    const by = unverified.map((s) => keyLabel(s.name, s.keyId)).slice(0, 5)
    throw new NoteError('unverified', `note has no signature by a known key (signed by ${by.join(', ')})`)
  }
  return Object.freeze({ text, verifiedBy: Object.freeze(verifiedBy), unverified: Object.freeze(unverified) })
}

/**
 * Whether {@link openNote} accepts the note; any other error than a NoteError is still thrown.
 *
 * @example
 * if (!verifyNote(note, [verifier])) throw new Error('checkpoint is not signed by the log')
 */
export function verifyNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): boolean {
  try {
    openNote(note, verifiers)
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

function parseSignatureLine(line: string, index: number): NoteSignature {
  const where = `signature line ${index + 1}`
  if (!line.startsWith(SIGNATURE_PREFIX)) throw noteError(`${where} does not start with an em dash and a space`)
  const rest = line.slice(SIGNATURE_PREFIX.length)
  const space = rest.indexOf(' ')
  const name = rest.slice(0, space)
  const signature = rest.slice(space + 1)
  if (space < 0 || !isValidKeyName(name)) throw noteError(`${where} has no valid key name`)
  const bytes = decodeBase64(signature)
  if (bytes === undefined) throw noteError(`${where} is not canonical base64`)
  if (bytes.length < 5) throw noteError(`${where} is too short to hold a key ID and a signature`)
  return Object.freeze({ name, keyId: bytes.readUInt32BE(0), signature })
}

function toNoteString(note: string | Uint8Array): string {
  if (typeof note === 'string') return note
  if (!(note instanceof Uint8Array)) throw noteError('note must be a string or a Uint8Array')
  try {
    return UTF8.decode(note)
  } catch (cause) {
    throw new NoteError('malformed-note', 'note is not valid UTF-8', { cause })
  }
}

function checkText(text: string): void {
  if (typeof text !== 'string' || !text.isWellFormed()) throw noteError('note is not valid Unicode text')
  const control = CONTROL.exec(text)
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0')
    throw noteError(`note contains control character U+${code} at offset ${control.index}`)
  }
}

function checkName(name: string): void {
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
function decodeBase64(text: string): Buffer | undefined {
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

function safeVerify(verifier: NoteVerifier, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifier.verify(message, signature) === true
  } catch {
    return false
  }
}

function isKeyId(keyId: number): boolean {
  return Number.isInteger(keyId) && keyId >= 0 && keyId <= 0xffffffff
}

function keyLabel(name: string, keyId: number): string {
  return `${name}+${keyId.toString(16).padStart(8, '0')}`
}

function noteError(message: string): NoteError {
  return new NoteError('malformed-note', message)
}

function keyError(message: string): NoteError {
  return new NoteError('malformed-key', message)
}
