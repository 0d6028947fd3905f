// The checks a third party runs without the database: a checkpoint's signature and origin, an
// inclusion proof (of a leaf hash, or of an entry's content), a consistency proof. Each is a small
// named step after RFC 9162 and c2sp.org, and each answers { ok: false, code, detail } naming the
// check that failed, never a bare false and never a throw (sigstore-js's model).
import { fromBase64, toBase64, utf8 } from './bytes.js'
import { type Checkpoint, parseCheckpoint } from './checkpoint.js'
import { entryLeafMessage, type LeafEntry, leafEntryProblem } from './entry-canonical.js'
import { consistencySteps, inclusionSteps, MAX_PROOF_LENGTH } from './merkle-verify.js'
import { NoteError } from './note-error.js'
import { openNoteSteps, parseNote } from './signed-note.js'
import { type Steps, sha256 } from './steps.js'
import { HASH_SIZE, isCount } from './tree-math.js'
import { isValidKeyName, noteKeysSteps, type TrustedKeys } from './verifier-keys.js'

/**
 * Why a check failed:
 * - `malformed`: a note, checkpoint, proof or entry that cannot be read (syntax, types, encoding);
 * - `bad_key`: a trusted key that is not an Ed25519 public key, or two keys under one name and ID;
 * - `unknown_key`: the note carries no signature by any trusted key;
 * - `bad_signature`: a trusted key's signature on the note does not verify (the note was edited);
 * - `wrong_origin`: the checkpoint is from another log than the one expected;
 * - `bad_proof`: the proof does not fit the checkpoint (another tree size, an index out of range);
 * - `root_mismatch`: the proof does not lead to the root the checkpoint signs;
 * - `leaf_mismatch`: the entry does not hash to the leaf the proof is for (the entry was changed).
 */
export type VerifyCode =
  | 'malformed'
  | 'bad_key'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_origin'
  | 'bad_proof'
  | 'root_mismatch'
  | 'leaf_mismatch'

/** A failed check: its stable `code` and a sentence for a person. */
export interface VerifyFailure {
  readonly ok: false
  readonly code: VerifyCode
  readonly detail: string
}

/**
 * What a verifier answers: `{ ok: true, ... }` with what was verified, or a {@link VerifyFailure}.
 *
 * @example
 * const result = verifyCheckpoint(note, keys)
 * if (!result.ok) console.error(result.code, result.detail)
 */
export type VerifyOutcome<T extends object = object> = ({ readonly ok: true } & T) | VerifyFailure

/** What a verified checkpoint says. */
export interface CheckpointContent {
  readonly origin: string
  readonly treeSize: number
  /** The RFC 6962 root hash, base64. */
  readonly rootHash: string
}

/** A checkpoint that verified, and the keys (as C2SP verifier key strings) whose signatures on it verified. */
export interface VerifiedCheckpoint {
  readonly checkpoint: CheckpointContent
  readonly signedBy: readonly string[]
}

/** Options of the verifiers. */
export interface VerifierOptions {
  /** The origin (log name) the checkpoints must carry; any origin when absent. */
  readonly origin?: string | undefined
}

/**
 * Proof that one entry's leaf is in the tree a checkpoint signs: the leaf's index, the checkpoint's
 * tree size, the leaf hash and the RFC 6962 audit path (deepest sibling first), hashes in base64.
 *
 * @example
 * const proof: InclusionProof = { leafIndex: 6, treeSize: 7, leafHash: 'bkO...=', auditPath: ['Ykd...=', 'xyz...='] }
 */
export interface InclusionProof {
  readonly leafIndex: number
  readonly treeSize: number
  readonly leafHash: string
  readonly auditPath: readonly string[]
}

/**
 * Proof that the tree of `oldSize` leaves is a prefix of the tree of `newSize` leaves: nothing was
 * changed or removed between two checkpoints. `path` is the RFC 6962 consistency proof, in base64.
 *
 * @example
 * const proof: ConsistencyProof = { oldSize: 3, newSize: 7, path: ['abc...=', 'def...='] }
 */
export interface ConsistencyProof {
  readonly oldSize: number
  readonly newSize: number
  readonly path: readonly string[]
}

class Failed {
  constructor(
    readonly code: VerifyCode,
    readonly detail: string,
  ) {}
}

const fail = (code: VerifyCode, detail: string): never => {
  throw new Failed(code, detail)
}

/** Runs a check, turning a Failed, a NoteError or anything unexpected into a VerifyFailure. */
function* answer<T extends object>(check: () => Steps<T>): Steps<VerifyOutcome<T>> {
  try {
    return { ok: true, ...(yield* check()) }
  } catch (error) {
    if (error instanceof Failed) return { ok: false, code: error.code, detail: error.detail }
    if (error instanceof NoteError) return { ok: false, code: error.code, detail: error.message }
    const why = error instanceof Error ? error.message : String(error)
    return { ok: false, code: 'malformed', detail: `unreadable input: ${why}` }
  }
}

/**
 * A 32-byte hash in canonical standard base64, or undefined for anything else (another type,
 * another length, base64url, missing or extra padding, whitespace). Never throws.
 *
 * @example
 * decodeHash('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')?.length // 32
 */
export function decodeHash(s: unknown): Uint8Array | undefined {
  if (typeof s !== 'string' || s.length !== 4 * Math.ceil(HASH_SIZE / 3)) return undefined
  const bytes = fromBase64(s)
  return bytes?.length === HASH_SIZE ? bytes : undefined
}

function decodeHashes(list: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(list)) return fail('malformed', `${what} must be an array of base64 hashes`)
  if (list.length > MAX_PROOF_LENGTH)
    return fail('bad_proof', `${what} has ${list.length} hashes, more than any tree holds`)
  const hashes: Uint8Array[] = []
  // An index loop, not map(): map() skips the holes of a sparse array.
  for (let i = 0; i < list.length; i++) {
    hashes.push(decodeHash(list[i]) ?? fail('malformed', `${what}[${i}] is not the base64 of a 32-byte hash`))
  }
  return hashes
}

function field(object: unknown, name: string): unknown {
  if (typeof object !== 'object' || object === null) return fail('malformed', 'the proof must be an object')
  return (object as Record<string, unknown>)[name]
}

function count(object: unknown, name: string): number {
  const value = field(object, name)
  return isCount(value) ? value : fail('malformed', `${name} must be a non-negative safe integer`)
}

/**
 * Step 1 of every check: the note's signature by a trusted key, its checkpoint form, its origin.
 * Throws a NoteError whose `code` names the failed check.
 */
export function* openCheckpointSteps(
  note: unknown,
  keys: TrustedKeys,
  options: VerifierOptions | undefined,
  label = 'the checkpoint',
): Steps<Checkpoint & { signedBy: string[] }> {
  if (typeof note !== 'string') throw new NoteError('malformed-note', `${label} must be a signed note (a string)`)
  const { text } = parseNote(note)
  const origin = text.slice(0, text.indexOf('\n'))
  // An unnamed key is named after the origin, which must then be able to name a key.
  const unnamed = (Array.isArray(keys) ? keys : [keys]).some((k) => typeof k === 'object' && k?.name === undefined)
  if (unnamed && !isValidKeyName(origin)) {
    throw new NoteError('malformed-checkpoint', `${label}'s origin cannot name a key (empty, space, "+" or control)`)
  }
  const expected = options?.origin
  if (expected !== undefined && origin !== expected) {
    throw new NoteError('malformed-checkpoint', `${label} is for origin '${origin}', not '${expected}'`, {
      code: 'wrong_origin',
    })
  }
  const noteKeys = yield* noteKeysSteps(keys, origin)
  const opened = yield* openNoteSteps(note, noteKeys)
  const checkpoint = parseCheckpoint(opened.text)
  const signedBy = opened.verifiedBy.map(
    (sig) => noteKeys.find((k) => k.name === sig.name && k.keyId === sig.keyId)?.verifierKey ?? sig.name,
  )
  return { ...checkpoint, signedBy }
}

function content(checkpoint: Checkpoint): CheckpointContent {
  return { origin: checkpoint.origin, treeSize: checkpoint.size, rootHash: toBase64(checkpoint.rootHash) }
}

/** The rule of verifyCheckpoint: a signed checkpoint note, its signature by one of the trusted keys, its origin. */
export function checkpointSteps(
  note: unknown,
  keys: TrustedKeys,
  options?: VerifierOptions,
): Steps<VerifyOutcome<VerifiedCheckpoint>> {
  return answer(function* () {
    const cp = yield* openCheckpointSteps(note, keys, options)
    return { checkpoint: content(cp), signedBy: cp.signedBy }
  })
}

/** Step 2 of an inclusion check: the audit path from `leaf` to the checkpoint's root (RFC 9162 §2.1.3.2). */
function* pathToRoot(proof: unknown, leaf: Uint8Array, checkpoint: Checkpoint): Steps<void> {
  const leafIndex = count(proof, 'leafIndex')
  const treeSize = count(proof, 'treeSize')
  const path = decodeHashes(field(proof, 'auditPath'), 'auditPath')
  if (treeSize !== checkpoint.size) {
    fail('bad_proof', `the proof is for a tree of ${treeSize} entries, the checkpoint signs ${checkpoint.size}`)
  }
  if (leafIndex >= treeSize) fail('bad_proof', `leafIndex ${leafIndex} is not below the tree size ${treeSize}`)
  if (!(yield* inclusionSteps(leafIndex, treeSize, leaf, path, checkpoint.rootHash))) {
    fail('root_mismatch', `the audit path does not lead from leaf ${leafIndex} to the root the checkpoint signs`)
  }
}

/**
 * The rule of verifyInclusionProof: the checkpoint, then the proof's path from its leaf hash to the
 * checkpoint's root. It proves the leaf hash, not an entry: see entryInclusionSteps.
 */
export function inclusionProofSteps(
  proof: unknown,
  note: unknown,
  keys: TrustedKeys,
  options?: VerifierOptions,
): Steps<VerifyOutcome<VerifiedCheckpoint>> {
  return answer(function* () {
    const cp = yield* openCheckpointSteps(note, keys, options)
    const leaf =
      decodeHash(field(proof, 'leafHash')) ?? fail('malformed', 'leafHash is not the base64 of a 32-byte hash')
    yield* pathToRoot(proof, leaf, cp)
    return { checkpoint: content(cp), signedBy: cp.signedBy }
  })
}

/** Inside a rule: the RFC 6962 leaf hash of an entry, SHA-256(0x00 || its RFC 8785 canonical JSON). */
export function* entryLeafSteps(entry: LeafEntry): Steps<Uint8Array> {
  return yield* sha256(utf8(entryLeafMessage(entry)))
}

/**
 * The rule of verifyEntryInclusion: the checkpoint (signature by a trusted key, origin), then the
 * entry's leaf recomputed from its fields, which must be the proof's leaf, then the path from it to
 * the checkpoint's root.
 */
export function entryInclusionSteps(
  entry: unknown,
  proof: unknown,
  note: unknown,
  keys: TrustedKeys,
  options: VerifierOptions,
): Steps<VerifyOutcome<VerifiedCheckpoint & { leafHash: string }>> {
  return answer(function* () {
    if (typeof options?.origin !== 'string') fail('malformed', "options.origin (the log's origin) is required")
    const problem = leafEntryProblem(entry)
    if (problem !== undefined) fail('malformed', `the entry cannot be hashed: ${problem}`)
    const cp = yield* openCheckpointSteps(note, keys, options)
    let leaf: Uint8Array
    try {
      leaf = yield* entryLeafSteps(entry as LeafEntry)
    } catch (error) {
      return fail('malformed', `the entry cannot be hashed: ${error instanceof Error ? error.message : String(error)}`)
    }
    const claimed = field(proof, 'leafHash')
    if (claimed !== undefined && toBase64(leaf) !== claimed) {
      fail(
        'leaf_mismatch',
        'the entry does not hash to the leaf the proof is for: its content differs from what was sealed',
      )
    }
    yield* pathToRoot(proof, leaf, cp)
    return { checkpoint: content(cp), signedBy: cp.signedBy, leafHash: toBase64(leaf) }
  })
}

/**
 * The rule of verifyConsistencyProof: both checkpoints (signed by trusted keys, one origin), the
 * proof's sizes theirs, and the path from the old root to the new (RFC 9162 §2.1.4.2).
 */
export function consistencyProofSteps(
  proof: unknown,
  oldNote: unknown,
  newNote: unknown,
  keys: TrustedKeys,
  options?: VerifierOptions,
): Steps<VerifyOutcome<{ oldCheckpoint: CheckpointContent; newCheckpoint: CheckpointContent }>> {
  return answer(function* () {
    const older = yield* openCheckpointSteps(oldNote, keys, options, 'the old checkpoint')
    const newer = yield* openCheckpointSteps(newNote, keys, options, 'the new checkpoint')
    if (older.origin !== newer.origin) {
      fail('wrong_origin', `the checkpoints are of two logs ('${older.origin}' and '${newer.origin}')`)
    }
    const oldSize = count(proof, 'oldSize')
    const newSize = count(proof, 'newSize')
    if (oldSize > newSize) fail('bad_proof', `oldSize ${oldSize} is above newSize ${newSize}`)
    const path = decodeHashes(field(proof, 'path'), 'path')
    if (oldSize !== older.size || newSize !== newer.size) {
      fail(
        'bad_proof',
        `the proof is from ${oldSize} to ${newSize} entries, the checkpoints sign ${older.size} and ${newer.size}`,
      )
    }
    if (!(yield* consistencySteps(oldSize, newSize, older.rootHash, newer.rootHash, path))) {
      fail(
        'root_mismatch',
        `the proof does not show the tree of ${oldSize} entries is a prefix of the tree of ${newSize}`,
      )
    }
    return { oldCheckpoint: content(older), newCheckpoint: content(newer) }
  })
}
