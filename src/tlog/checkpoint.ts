import { fromBase64, toBase64 } from './bytes.js'
import { NoteError } from './note-error.js'

/** A Merkle tree head in c2sp.org/tlog-checkpoint form: the log's origin, its size, and its RFC 6962 root hash. */
export interface Checkpoint {
  readonly origin: string
  readonly size: number
  readonly rootHash: Uint8Array
  readonly extensions: readonly string[]
}

/** What {@link formatCheckpoint} needs; `extensions` defaults to none (the spec advises against them). */
export interface CheckpointInput {
  readonly origin: string
  readonly size: number
  readonly rootHash: Uint8Array
  readonly extensions?: readonly string[]
}

const ROOT_HASH_BYTES = 32
const SIZE = /^(?:0|[1-9][0-9]{0,15})$/
const CONTROL = /[\u0000-\u001f]/

/**
 * The checkpoint's note text: origin, size in decimal, base64 root hash, then any extension lines, each
 * ending in a newline. Sign it with `signNote`.
 *
 * @example
 * formatCheckpoint({ origin: 'audit.example.com/log', size: 42, rootHash }) // 'audit.example.com/log\n42\n...=\n'
 */
export function formatCheckpoint(checkpoint: CheckpointInput): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint
  checkLine(origin, 'origin')
  if (!Number.isSafeInteger(size) || size < 0) throw checkpointError('tree size must be a non-negative safe integer')
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== ROOT_HASH_BYTES) {
    throw checkpointError(`root hash must be ${ROOT_HASH_BYTES} bytes`)
  }
  for (const [i, line] of extensions.entries()) checkLine(line, `extension line ${i + 1}`)
  const lines = [origin, String(size), toBase64(rootHash), ...extensions]
  return `${lines.join('\n')}\n`
}

/**
 * Reads a checkpoint from a note text (`openNote(note, verifiers).text`), refusing anything not in the exact
 * form: at least three non-empty lines, a size without leading zeros that fits a safe integer, a 32-byte root.
 *
 * @example
 * const { origin, size, rootHash } = parseCheckpoint(openNote(note, [verifier]).text)
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.isWellFormed()) throw checkpointError('checkpoint is not valid Unicode text')
  if (!text.endsWith('\n')) throw checkpointError('checkpoint must end with a newline')
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 3) throw checkpointError('checkpoint needs an origin, a tree size and a root hash line')
  for (const [i, line] of lines.entries()) checkLine(line, `line ${i + 1}`)
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]]
  if (!SIZE.test(size) || !Number.isSafeInteger(Number(size))) {
    throw checkpointError('tree size must be a decimal integer without leading zeros, at most 2^53 - 1')
  }
  const rootHash = fromBase64(root)
  if (rootHash?.length !== ROOT_HASH_BYTES) {
    throw checkpointError(`root hash must be the canonical base64 of ${ROOT_HASH_BYTES} bytes`)
  }
  return Object.freeze({
    origin,
    size: Number(size),
    rootHash,
    extensions: Object.freeze(extensions),
  })
}

function checkLine(line: string, what: string): void {
  if (typeof line !== 'string' || line === '') throw checkpointError(`${what} must be non-empty`)
  if (!line.isWellFormed() || CONTROL.test(line)) {
    throw checkpointError(`${what} must be valid Unicode text without newlines or control characters`)
  }
}

function checkpointError(message: string): NoteError {
  return new NoteError('malformed-checkpoint', message)
}
