// The verifiers as `auditkit` exports them for Node.js: the same rules as `auditkit/verify`, run
// synchronously with node:crypto, taking keys in every form Node.js has (PEM, KeyObject too).
import { ValidationError } from '../errors.js'
import { toBase64 } from './bytes.js'
import { type KeySet, openCheckpoint, toTrustedKeys } from './keys.js'
import { runNode } from './node-crypto.js'
import type { Steps } from './steps.js'
import { isHash } from './tree-math.js'
import type { TrustedKeyInput } from './verifier-keys.js'
import {
  type CheckpointContent,
  type ConsistencyProof,
  checkpointSteps,
  consistencyProofSteps,
  entryInclusionSteps,
  type InclusionProof,
  inclusionProofSteps,
  type VerifiedCheckpoint,
  type VerifierOptions,
  type VerifyOutcome,
} from './verifiers.js'

export { type CheckpointContent, type ConsistencyProof, decodeHash, type InclusionProof } from './verifiers.js'

/** Runs a rule with keys converted from every Node.js form; a bad key is a `bad_key` answer, not a throw. */
function withKeys<T extends object>(
  keys: unknown,
  rule: (trusted: TrustedKeyInput[]) => Steps<VerifyOutcome<T>>,
): VerifyOutcome<T> {
  let trusted: TrustedKeyInput[]
  try {
    trusted = toTrustedKeys(keys)
  } catch (error) {
    return { ok: false, code: 'bad_key', detail: error instanceof Error ? error.message : String(error) }
  }
  return runNode(rule(trusted))
}

/**
 * Verifies a signed checkpoint note: its signature by one of the trusted keys (any rotation's),
 * its form, and its origin when `options.origin` is given. Never throws.
 *
 * @example
 * const result = verifyCheckpoint(note, [oldKey, newKey], { origin: 'audit.example.com/log' })
 * if (result.ok) console.log(result.checkpoint.treeSize)
 * else console.error(result.code, result.detail) // e.g. 'unknown_key'
 */
export function verifyCheckpoint(
  note: string,
  keys: KeySet,
  options?: VerifierOptions,
): VerifyOutcome<VerifiedCheckpoint> {
  return withKeys(keys, (trusted) => checkpointSteps(note, trusted, options))
}

/**
 * Verifies that an entry, as read now, is in the tree a signed checkpoint commits to: recomputes
 * the entry's leaf from its fields (so an entry edited after sealing fails with `leaf_mismatch`),
 * follows the proof's audit path to the checkpoint's root, checks the checkpoint's signature by a
 * trusted key and its origin (`options.origin`, required). Needs no database. Never throws: every
 * failure is `{ ok: false, code, detail }`.
 *
 * @example
 * const proof = await audit.proveInclusion(entry.uuid, cp.treeSize)
 * const result = verifyEntryInclusion(entry, proof, cp.note, publicKey, { origin: cp.origin })
 * if (!result.ok) console.error(result.code) // 'leaf_mismatch' when the entry was changed
 */
export function verifyEntryInclusion(
  entry: unknown,
  proof: InclusionProof,
  checkpoint: string,
  keys: KeySet,
  options: VerifierOptions & { readonly origin: string },
): VerifyOutcome<VerifiedCheckpoint & { leafHash: string }> {
  return withKeys(keys, (trusted) => entryInclusionSteps(entry, proof, checkpoint, trusted, options))
}

/**
 * Verifies that the proof's leaf hash is in the tree a signed checkpoint commits to. It proves the
 * leaf hash, not the entry: use {@link verifyEntryInclusion} to check an entry's content. Never throws.
 *
 * @example
 * verifyInclusionProof(proof, cp.note, publicKey).ok // true
 */
export function verifyInclusionProof(
  proof: InclusionProof,
  checkpoint: string,
  keys: KeySet,
  options?: VerifierOptions,
): VerifyOutcome<VerifiedCheckpoint> {
  return withKeys(keys, (trusted) => inclusionProofSteps(proof, checkpoint, trusted, options))
}

/**
 * Verifies that the tree of the old checkpoint is a prefix of the tree of the new one: both signed
 * by trusted keys (a rotation between them is fine when both keys are trusted), of one origin,
 * with the proof's sizes. Never throws.
 *
 * @example
 * verifyConsistencyProof(await audit.proveConsistency(3, 7), oldNote, newNote, [oldKey, newKey]).ok // true
 */
export function verifyConsistencyProof(
  proof: ConsistencyProof,
  oldCheckpoint: string,
  newCheckpoint: string,
  keys: KeySet,
  options?: VerifierOptions,
): VerifyOutcome<{ oldCheckpoint: CheckpointContent; newCheckpoint: CheckpointContent }> {
  return withKeys(keys, (trusted) => consistencyProofSteps(proof, oldCheckpoint, newCheckpoint, trusted, options))
}

/**
 * Whether {@link verifyInclusionProof} accepts the proof: it proves the leaf hash, not the entry
 * (see {@link verifyEntryInclusion}). Never throws.
 *
 * @example
 * verifyInclusion(await fetchProof(entryUuid), checkpointNote, publicKeyPem) // true
 */
export function verifyInclusion(proof: InclusionProof, checkpoint: string, keys: KeySet): boolean {
  return verifyInclusionProof(proof, checkpoint, keys).ok
}

/**
 * Whether {@link verifyConsistencyProof} accepts the proof. Never throws.
 *
 * @example
 * verifyConsistency(await fetchConsistency(3, 7), savedCheckpoint, latestCheckpoint, publicKeyPem) // true
 */
export function verifyConsistency(
  proof: ConsistencyProof,
  oldCheckpoint: string,
  newCheckpoint: string,
  keys: KeySet,
): boolean {
  return verifyConsistencyProof(proof, oldCheckpoint, newCheckpoint, keys).ok
}

/**
 * A 32-byte hash as standard base64, as proofs and checkpoints carry it. Throws a ValidationError for
 * anything but 32 bytes.
 *
 * @example
 * encodeHash(EMPTY_ROOT) // '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
 */
export function encodeHash(b: Uint8Array): string {
  if (!isHash(b)) throw new ValidationError([{ field: 'hash', message: 'must be a 32-byte Uint8Array' }])
  return toBase64(b)
}

/**
 * Verifies a checkpoint note's signature with a key set and returns what it says. Needs no
 * database. Throws NoteError (its `code` says which check failed) or a ValidationError for a bad key.
 *
 * @example
 * const { treeSize, rootHash } = readCheckpoint(savedNote, publicKeyPem)
 */
export function readCheckpoint(note: string, keys: KeySet): CheckpointContent {
  const checkpoint = openCheckpoint(note, keys)
  return { origin: checkpoint.origin, treeSize: checkpoint.size, rootHash: encodeHash(checkpoint.rootHash) }
}
