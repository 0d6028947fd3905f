import { concatBytes, fromBase64, readUint32BE, toBase64, utf8 } from './bytes.js'
import { keyError, NoteError, noteError } from './note-error.js'
import { ed25519Verify, type Steps } from './steps.js'
import { isKeyId, isValidKeyName, type NoteKey } from './verifier-keys.js'

/** Signs note texts with one Ed25519 key; `verifierKey` is the public half to hand to verifiers. */
export interface NoteSigner {
  readonly name: string
  readonly keyId: number
  readonly verifierKey: string
  sign(message: Uint8Array): Uint8Array
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

// golang.org/x/mod/sumdb/note refuses notes with more; the spec requires accepting at least 16.
const MAX_SIGNATURES = 100
const SIGNATURE_PREFIX = '\u2014 '
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/
// ignoreBOM keeps a leading U+FEFF in the text, so the signed bytes are the bytes received.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Signs `text` (which must end in a newline) with one or more keys; returns the signed note.
 *
 * @example
 * const note = signNote('audit.example.com/log\n42\n' + rootBase64 + '\n', signer)
 */
export function signNote(text: string, signer: NoteSigner, ...more: NoteSigner[]): string {
  checkText(text)
  if (!text.endsWith('\n')) throw noteError('note text must end with a newline')
  const message = utf8(text)
  const seen = new Set<string>()
  let lines = ''
  for (const s of [signer, ...more]) {
    if (!isValidKeyName(s.name) || !isKeyId(s.keyId)) throw keyError(`invalid signer name or key ID: ${s.name}`)
    const id = keyLabel(s.name, s.keyId)
    if (seen.has(id)) throw new NoteError('ambiguous-key', `signer ${id} given twice`)
    seen.add(id)
    const head = new Uint8Array([s.keyId >>> 24, (s.keyId >>> 16) & 0xff, (s.keyId >>> 8) & 0xff, s.keyId & 0xff])
    lines += `${SIGNATURE_PREFIX}${s.name} ${toBase64(concatBytes(head, s.sign(message)))}\n`
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
 * Inside a rule: verifies a signed note against known keys and returns its text. Throws NoteError
 * unless at least one known key signed it (`unknown_key`) and every signature by a known key is
 * valid (`bad_signature`); signatures by unknown keys are listed, not trusted.
 */
export function* openNoteSteps(note: string | Uint8Array, keys: readonly NoteKey[]): Steps<OpenedNote> {
  const { text, signatures } = parseNote(note)
  const message = utf8(text)
  const verifiedBy: NoteSignature[] = []
  const unverified: NoteSignature[] = []
  const seen = new Set<string>()
  for (const sig of signatures) {
    const label = keyLabel(sig.name, sig.keyId)
    const known = keys.filter((k) => k.name === sig.name && k.keyId === sig.keyId)
    // Two different keys under one name and ID: which one signed cannot be told.
    if (new Set(known.map((k) => k.verifierKey)).size > 1) {
      throw new NoteError('ambiguous-key', `more than one verifier for key ${label}`)
    }
    const key = known[0]
    // The spec says every signature by a known key MUST be checked, repeats included; each key is listed once.
    if (key !== undefined) {
      const bytes = fromBase64(sig.signature) as Uint8Array
      if (!(yield* ed25519Verify(key.publicKey, message, bytes.subarray(4)))) {
        throw new NoteError('invalid-signature', `invalid signature for key ${label}`)
      }
    }
    const list = key !== undefined ? verifiedBy : unverified
    const once = key !== undefined ? label : `${sig.name} ${sig.signature}`
    if (!seen.has(once)) list.push(sig)
    seen.add(once)
  }
  if (verifiedBy.length === 0) {
    const by = unverified.map((s) => keyLabel(s.name, s.keyId)).slice(0, 5)
    throw new NoteError('unverified', `note has no signature by a known key (signed by ${by.join(', ')})`)
  }
  return Object.freeze({ text, verifiedBy: Object.freeze(verifiedBy), unverified: Object.freeze(unverified) })
}

function parseSignatureLine(line: string, index: number): NoteSignature {
  const where = `signature line ${index + 1}`
  if (!line.startsWith(SIGNATURE_PREFIX)) throw noteError(`${where} does not start with an em dash and a space`)
  const rest = line.slice(SIGNATURE_PREFIX.length)
  const space = rest.indexOf(' ')
  const name = rest.slice(0, space)
  const signature = rest.slice(space + 1)
  if (space < 0 || !isValidKeyName(name)) throw noteError(`${where} has no valid key name`)
  const bytes = fromBase64(signature)
  if (bytes === undefined) throw noteError(`${where} is not canonical base64`)
  if (bytes.length < 5) throw noteError(`${where} is too short to hold a key ID and a signature`)
  return Object.freeze({ name, keyId: readUint32BE(bytes, 0), signature })
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

function keyLabel(name: string, keyId: number): string {
  return `${name}+${keyId.toString(16).padStart(8, '0')}`
}
