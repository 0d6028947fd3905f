/**
 * `auditkit/verify`: the verifiers, for browsers and any JavaScript runtime with WebCrypto. No
 * Node.js import, no Buffer: hashing and Ed25519 run on `globalThis.crypto.subtle`, so every
 * verifier returns a Promise. The rules (RFC 8785 canonical JSON, the entry leaf, RFC 6962 trees
 * and proofs, C2SP signed notes and checkpoints) are the very code `auditkit` runs in Node.js.
 * Keys are C2SP verifier key strings (`<name>+<key ID>+<base64 key>`) or `{ name?, publicKey }`.
 *
 * @example
 * import { verifyEntryInclusion } from 'auditkit/verify'
 * const result = await verifyEntryInclusion(entry, proof, checkpointNote, [verifierKey], { origin: 'audit.example.com/log' })
 * badge.textContent = result.ok ? 'verified' : `not verified: ${result.code}`
 */
import { type LeafEntry, leafEntryProblem } from './tlog/entry-canonical.js'
import { runAsync } from './tlog/steps.js'
import type { TrustedKeys } from './tlog/verifier-keys.js'
import {
  type CheckpointContent,
  type ConsistencyProof,
  checkpointSteps,
  consistencyProofSteps,
  entryInclusionSteps,
  entryLeafSteps,
  type InclusionProof,
  inclusionProofSteps,
  type VerifiedCheckpoint,
  type VerifierOptions,
  type VerifyOutcome,
} from './tlog/verifiers.js'
import { webCryptoPrimitives } from './tlog/web-crypto.js'

export { canonicalJson } from './tlog/canonical-json.js'
export { type Checkpoint, parseCheckpoint } from './tlog/checkpoint.js'
export { entryCanonicalJson, type LeafEntry } from './tlog/entry-canonical.js'
export { type NoteSignature, type ParsedNote, parseNote } from './tlog/signed-note.js'
export type { TrustedKey, TrustedKeyInput, TrustedKeys } from './tlog/verifier-keys.js'
export {
  type CheckpointContent,
  type ConsistencyProof,
  decodeHash,
  type InclusionProof,
  type VerifiedCheckpoint,
  type VerifierOptions,
  type VerifyCode,
  type VerifyFailure,
  type VerifyOutcome,
} from './tlog/verifiers.js'

/**
 * The RFC 6962 leaf hash of an entry: SHA-256 of 0x00 followed by the RFC 8785 canonical JSON of
 * its eight fields (`insertedAt` as a Date or its ISO-8601 string): 32 bytes. Rejects with a
 * TypeError for a value that is not an entry.
 *
 * @example
 * await entryLeafHash(await (await fetch(`/v1/events/${uuid}`)).json()) // Uint8Array(32)
 */
export async function entryLeafHash(entry: LeafEntry): Promise<Uint8Array> {
  const problem = leafEntryProblem(entry)
  if (problem !== undefined) throw new TypeError(`entryLeafHash: ${problem}`)
  return runAsync(entryLeafSteps(entry), webCryptoPrimitives)
}

/**
 * Verifies a signed checkpoint note: its signature by one of the trusted keys, its form, and its
 * origin when `options.origin` is given. Never rejects on bad input: `{ ok: false, code, detail }`.
 *
 * @example
 * const result = await verifyCheckpoint(note, verifierKey, { origin: 'audit.example.com/log' })
 */
export function verifyCheckpoint(
  note: string,
  keys: TrustedKeys,
  options?: VerifierOptions,
): Promise<VerifyOutcome<VerifiedCheckpoint>> {
  return runAsync(checkpointSteps(note, keys, options), webCryptoPrimitives)
}

/**
 * Verifies that an entry, as received, is in the tree a signed checkpoint commits to: the entry's
 * leaf recomputed from its fields (`leaf_mismatch` when it was changed), the proof's path to the
 * checkpoint's root, the checkpoint's signature by a trusted key and its origin (required).
 *
 * @example
 * const result = await verifyEntryInclusion(entry, proof, note, keys, { origin: 'audit.example.com/log' })
 */
export function verifyEntryInclusion(
  entry: LeafEntry,
  proof: InclusionProof,
  checkpoint: string,
  keys: TrustedKeys,
  options: VerifierOptions & { readonly origin: string },
): Promise<VerifyOutcome<VerifiedCheckpoint & { leafHash: string }>> {
  return runAsync(entryInclusionSteps(entry, proof, checkpoint, keys, options), webCryptoPrimitives)
}

/**
 * Verifies that the proof's leaf hash is in the tree a signed checkpoint commits to. It proves the
 * leaf hash, not the entry: use {@link verifyEntryInclusion} for an entry's content.
 *
 * @example
 * (await verifyInclusionProof(proof, note, keys)).ok // true
 */
export function verifyInclusionProof(
  proof: InclusionProof,
  checkpoint: string,
  keys: TrustedKeys,
  options?: VerifierOptions,
): Promise<VerifyOutcome<VerifiedCheckpoint>> {
  return runAsync(inclusionProofSteps(proof, checkpoint, keys, options), webCryptoPrimitives)
}

/**
 * Verifies that the old checkpoint's tree is a prefix of the new one's: nothing sealed before was
 * changed or removed. Both must be signed by trusted keys and be of one origin.
 *
 * @example
 * const result = await verifyConsistencyProof(proof, lastSeenNote, latestNote, keys)
 * if (!result.ok) warn('the log was rewritten since your last visit')
 */
export function verifyConsistencyProof(
  proof: ConsistencyProof,
  oldCheckpoint: string,
  newCheckpoint: string,
  keys: TrustedKeys,
  options?: VerifierOptions,
): Promise<VerifyOutcome<{ oldCheckpoint: CheckpointContent; newCheckpoint: CheckpointContent }>> {
  return runAsync(consistencyProofSteps(proof, oldCheckpoint, newCheckpoint, keys, options), webCryptoPrimitives)
}
