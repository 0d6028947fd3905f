import { ValidationError } from '../errors.js'
import { openCheckpoint, type PublicKeyInput } from './keys.js'
import { HASH_SIZE, isCount, isHash } from './merkle-hash.js'
import { verifyConsistency as consistentRoots, verifyInclusion as includedInRoot } from './merkle-verify.js'
import { decodeBase64 } from './note-keys.js'

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

// No proof in a tree below 2^53 leaves has more than 54 hashes; a longer list is refused unread.
const MAX_PROOF_LENGTH = 64
const BASE64_HASH_LENGTH = 4 * Math.ceil(HASH_SIZE / 3)

/**
 * Whether `proof` shows its leaf is in the tree that `checkpoint` (a signed note) commits to, and the
 * checkpoint is signed by `publicKey`. Needs no database. Never throws: malformed proofs, checkpoints
 * or keys, a tree size other than the checkpoint's, all give false.
 *
 * @example
 * verifyInclusion(await fetchProof(entryUuid), checkpointNote, publicKeyPem) // true
 */
export function verifyInclusion(proof: InclusionProof, checkpoint: string, publicKey: PublicKeyInput): boolean {
  try {
    const { leafIndex, treeSize, leafHash, auditPath } = proof
    const leaf = decodeHash(leafHash)
    const path = decodeHashes(auditPath)
    if (!isCount(leafIndex) || !isCount(treeSize) || leaf === undefined || path === undefined) return false
    const head = openCheckpoint(checkpoint, publicKey)
    return head.size === treeSize && includedInRoot(leafIndex, treeSize, leaf, path, head.rootHash)
  } catch {
    return false
  }
}

/**
 * Whether `proof` shows the tree of `oldCheckpoint` is a prefix of the tree of `newCheckpoint`: both
 * signed notes from the same origin, signed by `publicKey`, with the proof's sizes. Needs no database.
 * Never throws: anything malformed or mismatched gives false.
 *
 * @example
 * verifyConsistency(await fetchConsistency(3, 7), savedCheckpoint, latestCheckpoint, publicKeyPem) // true
 */
export function verifyConsistency(
  proof: ConsistencyProof,
  oldCheckpoint: string,
  newCheckpoint: string,
  publicKey: PublicKeyInput,
): boolean {
  try {
    const { oldSize, newSize, path } = proof
    const hashes = decodeHashes(path)
    if (!isCount(oldSize) || !isCount(newSize) || hashes === undefined) return false
    const older = openCheckpoint(oldCheckpoint, publicKey)
    const newer = openCheckpoint(newCheckpoint, publicKey)
    if (older.origin !== newer.origin || older.size !== oldSize || newer.size !== newSize) return false
    return consistentRoots(oldSize, newSize, older.rootHash, newer.rootHash, hashes)
  } catch {
    return false
  }
}

/**
 * A 32-byte hash as standard base64, as proofs and checkpoints carry it. Throws a ValidationError for
 * anything but 32 bytes.
 *
 * @example
 * encodeHash(EMPTY_ROOT) // '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
 */
export function encodeHash(b: Uint8Array): string {
  if (!isHash(b)) throw new ValidationError([{ field: 'hash', message: `must be a ${HASH_SIZE}-byte Uint8Array` }])
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
}

/**
 * The 32 bytes of a hash in canonical standard base64, or undefined for anything else (another type,
 * another length, base64url, missing or extra padding, whitespace). Never throws.
 *
 * @example
 * decodeHash('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')?.equals(EMPTY_ROOT) // true
 * decodeHash('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU') // undefined
 */
export function decodeHash(s: unknown): Buffer | undefined {
  if (typeof s !== 'string' || s.length !== BASE64_HASH_LENGTH) return undefined
  const bytes = decodeBase64(s)
  return bytes?.length === HASH_SIZE ? bytes : undefined
}

function decodeHashes(list: unknown): Buffer[] | undefined {
  if (!Array.isArray(list) || list.length > MAX_PROOF_LENGTH) return undefined
  const hashes: Buffer[] = []
  // An index loop, not map(): map() skips the holes of a sparse array.
  for (let i = 0; i < list.length; i++) {
    const hash = decodeHash(list[i])
    if (hash === undefined) return undefined
    hashes.push(hash)
  }
  return hashes
}

/** What a verified checkpoint says. */
export interface CheckpointContent {
  readonly origin: string
  readonly treeSize: number
  /** The RFC 6962 root hash, base64. */
  readonly rootHash: string
}

/**
 * Verifies a checkpoint note's signature with `publicKey` and returns what it says. Needs no
 * database. Throws NoteError (its `reason` says which check failed) or a ValidationError for a
 * bad key.
 *
 * @example
 * const { treeSize, rootHash } = readCheckpoint(savedNote, publicKeyPem)
 */
export function readCheckpoint(note: string, publicKey: PublicKeyInput): CheckpointContent {
  const checkpoint = openCheckpoint(note, publicKey)
  return { origin: checkpoint.origin, treeSize: checkpoint.size, rootHash: encodeHash(checkpoint.rootHash) }
}
