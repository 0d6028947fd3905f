// Known-answer vectors for the verification rules, run by the Node.js test and, bundled, in
// Chromium. Pure data: no import, so esbuild can bundle it for a page as it is.
//
// How the constants were made: the two key pairs once with generateNoteKeyPair('vectors.example/log');
// notes, roots and proofs with signNote, formatCheckpoint and MerkleFrontier over the leaves of
// ENTRY_A..ENTRY_G (in that order). Ed25519 is deterministic, so verify-vectors.test.ts rebuilds
// them all from the signer keys and entries and checks they are still these. Every canonical form,
// leaf, root, audit path, key ID and signature below was then checked by an independent Python
// program (hashlib, the `cryptography` package, RFC 6962's MTH/PATH/SUBPROOF written from the RFC).
// The canonicalJson outputs are written by hand from RFC 8785 (§3.2.2 and §3.2.3 are its examples).

/** Bytes in a vector, as hex: the runner hands the verifier a Uint8Array. */
export interface HexBytes {
  readonly $hex: string
}

/** A code a verifier answers with (the union of VerifyCode, repeated so this file imports nothing). */
export type ExpectedCode =
  | 'malformed'
  | 'bad_key'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_origin'
  | 'bad_proof'
  | 'root_mismatch'
  | 'leaf_mismatch'

/** What a verifier must answer: `ok` and `code`, plus any fields given, compared as a subset. */
export type Expected = { readonly ok: true; readonly [field: string]: unknown } | { readonly ok: false; readonly code: ExpectedCode }

export type VerifierName = 'verifyCheckpoint' | 'verifyEntryInclusion' | 'verifyInclusionProof' | 'verifyConsistencyProof'

export interface VerifierVector {
  readonly name: string
  readonly fn: VerifierName
  readonly args: readonly unknown[]
  readonly expect: Expected
}

export const ORIGIN = 'vectors.example/log'

// Test keys: they sign these vectors and nothing else.
export const SIGNER_KEY_1 = 'PRIVATE+KEY+vectors.example/log+4850f7f7+AX4LasU1hOJtGXNyDTlYOLvqjZ3urOdAedkiA/EsMceB'
export const SIGNER_KEY_2 = 'PRIVATE+KEY+vectors.example/log+8af2d4c0+AVmO6gy3H5Qa5Q6ep2+GQFDEYoICXiOamQ5Yj+6Aqibf'
export const KEY_1 = 'vectors.example/log+4850f7f7+AVJb4tib5+RKshMBMk7GkCAGD3WVzTyRFNQPeC8/ZAtg'
export const KEY_2 = 'vectors.example/log+8af2d4c0+AURlGF+I7RqCBb0OFI2ZcSX3jQBG1O+N4N9lwGO98PiI'
const RAW_KEY_1: HexBytes = { $hex: '525be2d89be7e44ab21301324ec69020060f7595cd3c9114d40f782f3f640b60' }

