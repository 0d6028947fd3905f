// Known-answer vectors for the verifiers, run by the Node.js test and, bundled, in Chromium. Pure
// data: nothing is imported but the sibling data file, so esbuild bundles it as it is.
//
// How the constants were made: the two key pairs once with generateNoteKeyPair('vectors.example/log'),
// then notes, roots and proofs with signNote, formatCheckpoint and a MerkleFrontier over the leaves
// of ENTRY_A..ENTRY_G, in that order. Ed25519 signatures are deterministic, so verify-vectors.test.ts
// rebuilds them from the signer keys and entries and checks they are still these. Every root, audit
// path, key ID and signature here, and every leaf in entry-vectors.ts, was also checked by an
// independent Python program (hashlib, the `cryptography` package, RFC 6962's MTH, PATH and
// SUBPROOF written from the RFC).
import { ENTRY_B, ENTRY_G } from './entry-vectors.js'

export * from './entry-vectors.js'

/** Bytes in a vector, as hex: the runner hands the verifier a Uint8Array. */
export interface HexBytes {
  readonly $hex: string
}

/** A code a verifier answers with (VerifyCode's union, repeated: the vectors import nothing from src). */
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
export type Expected =
  | { readonly ok: true; readonly [field: string]: unknown }
  | { readonly ok: false; readonly code: ExpectedCode }

export type VerifierName =
  | 'verifyCheckpoint'
  | 'verifyEntryInclusion'
  | 'verifyInclusionProof'
  | 'verifyConsistencyProof'

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

// The start of each key's signature lines: the em dash, the key name, the base64 of the key ID.
const SIG_1 = '\u2014 vectors.example/log SFD39'
const SIG_2 = '\u2014 vectors.example/log ivLUw'
const ROOT_7 = 'iC5nDu6gS+P1IYY5NmaZJU1uAyzTbLfvB673yiGph6Q='
const ROOT_3 = 'ZMWr3N3LQvbKrarvg7TN/npHIGtTHfQ5vHGdByacQww='
const BODY_7 = `vectors.example/log\n7\n${ROOT_7}\n`
const BODY_3 = `vectors.example/log\n3\n${ROOT_3}\n`

/** Checkpoints of the tree of ENTRIES: sizes 7 and 3, signed by key 1, key 2 or both. */
export const NOTE_7 = `${BODY_7}\n${SIG_1}27NrlVjl/ubWSDV6BZfvhJoOtiSUUKrJGPyQOV4M6pE/Fj8fIs3lsVrwiLLqHoPA/XgEXN5DlXPFOe3FBuPLgA=\n`
export const NOTE_3 = `${BODY_3}\n${SIG_1}/Qtds/HPF1qg2nCJGrqxQgWSKOZHNsNxHuMgLfp7fGILEpzDGQhuaoRvVUoULe+L2gLFWLmWqV7LCxOBGaQygg=\n`
export const NOTE_7_KEY_2 = `${BODY_7}\n${SIG_2}EnbDv8rbufhdQIaIn4VNOrIDKKMhiYwWGWfPPgeZZ07DeIyavuZYdp0hGnTVGcbNgB2sadSbwpW1oeJmEWp6ws=\n`
export const NOTE_7_BOTH_KEYS = `${NOTE_7}${NOTE_7_KEY_2.slice(BODY_7.length + 1)}`
/** A checkpoint of size 3 of another history: ENTRY_A, ENTRY_B, then ENTRY_C with action 'user_deleted'. */
export const NOTE_3_OTHER_TREE = `vectors.example/log\n3\n7tp2Wfhl2e0Sw/QfjHmEuU97NsQa7yv4UtnVN4xJDf8=\n\n${SIG_1}0O1m8/JafIJ6naYFJpSRvK383n0CiXqkcgQxor1jiKORmtjBebGFZ6qZ7ApVWboLH75RTd6Re90zA/mPPlmSAQ=\n`
/** A note signed by key 1 whose text is not a checkpoint. */
export const NOTE_NOT_CHECKPOINT = `vectors.example/log\nhello\n\n${SIG_1}+O8W6sQ01UU6q/coBZ+PBGzD27WmOneoWQBnwYZdLPUXKCHzvFNPAnVxbvVDEr6yGTj0GeGRJyjZRJiZM942gY=\n`
// NOTE_7 with its size line changed to 8, signature kept.
const NOTE_7_EDITED = NOTE_7.replace('\n7\n', '\n8\n')
// NOTE_7 with the signature's S replaced by S + L (the group order): valid arithmetic, refused by RFC 8032 §5.1.7.
const NOTE_7_MALLEATED = `${BODY_7}\n${SIG_1}27NrlVjl/ubWSDV6BZfvhJoOtiSUUKrJGPyQOV4M6pE6Szy2aWaqB1CXxpuh3TuF/XgEXN5DlXPFOe3FBuPLhA=\n`

const LEAF_1 = 'iXx69IcWfZklU3bhbbxUf7IVArNr93Ag8hZ5QW/BMAM='
const LEAF_6 = 'cwF9i8ttP0SrgWm+YkC+6OkgtzYpwkhb1FKyY3TQpQ4='
/** The inclusion proofs of ENTRY_B (leaf 1) and ENTRY_G (leaf 6) in the tree of 7. */
export const PROOF_1 = {
  leafIndex: 1,
  treeSize: 7,
  leafHash: LEAF_1,
  auditPath: [
    'a5aYx1Sa8NfassC0/B6UXlZGg22ffv4RhkLMO4UwcFw=',
    'j6aPtC3gmpolgljZ/SPYb22GCsjPh2kR/xXR9rQs5EU=',
    'OLo724DdnOEZji0r5HEDXGWl1QA7+xQ3/Z1Twjccte8=',
  ],
}
export const PROOF_6 = {
  leafIndex: 6,
  treeSize: 7,
  leafHash: LEAF_6,
  auditPath: ['kliQESGokdWYrNsWEmRHrfxs0PNCUdeBAi/pQG6vd7Q=', 'VAhiHbz/8sQbgaYlVqXYoroaMk/hfI2xQtWGDnlrHSE='],
}
/** The consistency proof from the tree of 3 to the tree of 7. */
export const CONSISTENCY_3_7 = {
  oldSize: 3,
  newSize: 7,
  path: [
    '4n333tqRiAFOIX5b1Eq9vCLNh8flGabhqmeiD8bgkls=',
    'rG2kq3hxqBGEzkw3muk4o4BRWBVR/br+QucTHXxqlwo=',
    '4QO7/8tX8VoyNnyaGF8pXNBFTuBWA657u+ecZ/xwkzI=',
    'OLo724DdnOEZji0r5HEDXGWl1QA7+xQ3/Z1Twjccte8=',
  ],
}

const CHECKPOINT_7 = { origin: ORIGIN, treeSize: 7, rootHash: ROOT_7 }
const CHECKPOINT_3 = { origin: ORIGIN, treeSize: 3, rootHash: ROOT_3 }
const OPTIONS = { origin: ORIGIN }

const checkpoint = (name: string, args: readonly unknown[], expect: Expected): VerifierVector => ({
  name: `checkpoint: ${name}`,
  fn: 'verifyCheckpoint',
  args,
  expect,
})
const entry = (name: string, args: readonly unknown[], expect: Expected): VerifierVector => ({
  name: `entry inclusion: ${name}`,
  fn: 'verifyEntryInclusion',
  args,
  expect,
})
const inclusion = (name: string, args: readonly unknown[], expect: Expected): VerifierVector => ({
  name: `inclusion: ${name}`,
  fn: 'verifyInclusionProof',
  args,
  expect,
})
const consistency = (name: string, args: readonly unknown[], expect: Expected): VerifierVector => ({
  name: `consistency: ${name}`,
  fn: 'verifyConsistencyProof',
  args,
  expect,
})
const failure = (code: ExpectedCode): Expected => ({ ok: false, code })

export const VERIFIER_VECTORS: readonly VerifierVector[] = [
  checkpoint('valid', [NOTE_7, KEY_1], { ok: true, checkpoint: CHECKPOINT_7, signedBy: [KEY_1] }),
  checkpoint('valid, expected origin', [NOTE_7, KEY_1, OPTIONS], { ok: true, checkpoint: CHECKPOINT_7 }),
  checkpoint('raw key with its name', [NOTE_7, { name: ORIGIN, publicKey: RAW_KEY_1 }], {
    ok: true,
    signedBy: [KEY_1],
  }),
  checkpoint('unnamed raw key is named after the origin', [NOTE_7, [{ publicKey: RAW_KEY_1 }]], {
    ok: true,
    signedBy: [KEY_1],
  }),
  checkpoint('size line edited', [NOTE_7_EDITED, KEY_1], failure('bad_signature')),
  checkpoint('non-canonical signature (S + L)', [NOTE_7_MALLEATED, KEY_1], failure('bad_signature')),
  checkpoint('signed by another key', [NOTE_7, KEY_2], failure('unknown_key')),
  checkpoint('wrong origin', [NOTE_7, KEY_1, { origin: 'other.example/log' }], failure('wrong_origin')),
  checkpoint('garbage note', ['not a signed note', KEY_1], failure('malformed')),
  checkpoint('empty note', ['', KEY_1], failure('malformed')),
  checkpoint('signed text that is not a checkpoint', [NOTE_NOT_CHECKPOINT, KEY_1], failure('malformed')),
  checkpoint('bad key string', [NOTE_7, 'vectors.example/log+4850f7f7+AAAA'], failure('bad_key')),
  checkpoint('key ID that is not its key', [NOTE_7, KEY_1.replace('4850f7f7', '8af2d4c0')], failure('bad_key')),
  checkpoint('raw key of 31 bytes', [NOTE_7, { publicKey: { $hex: RAW_KEY_1.$hex.slice(2) } }], failure('bad_key')),
  checkpoint('empty key list', [NOTE_7, []], failure('bad_key')),
  checkpoint('rotation: signed by the second key of two', [NOTE_7_KEY_2, [KEY_1, KEY_2]], {
    ok: true,
    signedBy: [KEY_2],
  }),
  checkpoint('rotation: signed by both keys', [NOTE_7_BOTH_KEYS, [KEY_1, KEY_2]], {
    ok: true,
    signedBy: [KEY_1, KEY_2],
  }),
  checkpoint('rotation: signed by both, one trusted', [NOTE_7_BOTH_KEYS, KEY_2], { ok: true, signedBy: [KEY_2] }),

  entry('valid (unicode metadata, leaf 1)', [ENTRY_B, PROOF_1, NOTE_7, KEY_1, OPTIONS], {
    ok: true,
    checkpoint: CHECKPOINT_7,
    signedBy: [KEY_1],
    leafHash: LEAF_1,
  }),
  entry('valid (last leaf)', [ENTRY_G, PROOF_6, NOTE_7, [KEY_1, KEY_2], OPTIONS], { ok: true, leafHash: LEAF_6 }),
  entry(
    'insertedAt as the ISO string of the sealed Date',
    [{ ...ENTRY_B, insertedAt: '2026-01-15T09:30:01.123Z' }, PROOF_1, NOTE_7, KEY_1, OPTIONS],
    { ok: true, leafHash: LEAF_1 },
  ),
  entry(
    'edited action',
    [{ ...ENTRY_B, action: 'user_unlocked' }, PROOF_1, NOTE_7, KEY_1, OPTIONS],
    failure('leaf_mismatch'),
  ),
  entry(
    'edited metadata',
    [{ ...ENTRY_B, metadata: { ...ENTRY_B.metadata, note: 'changed' } }, PROOF_1, NOTE_7, KEY_1, OPTIONS],
    failure('leaf_mismatch'),
  ),
  entry(
    'edited entry, proof without leafHash: the path from its leaf misses the root',
    [{ ...ENTRY_B, action: 'user_unlocked' }, { ...PROOF_1, leafHash: undefined }, NOTE_7, KEY_1, OPTIONS],
    failure('root_mismatch'),
  ),
  entry('another entry than the proof is for', [ENTRY_G, PROOF_1, NOTE_7, KEY_1, OPTIONS], failure('leaf_mismatch')),
  entry('no origin option', [ENTRY_B, PROOF_1, NOTE_7, KEY_1, {}], failure('malformed')),
  // Without a zone the date would be read in the verifier's local time: refused, not guessed.
  entry(
    'insertedAt as a string without a zone',
    [{ ...ENTRY_G, insertedAt: '2026-02-02T08:00:00.000' }, PROOF_6, NOTE_7, KEY_1, OPTIONS],
    failure('malformed'),
  ),
  entry('not an entry', [{ uuid: 1 }, PROOF_1, NOTE_7, KEY_1, OPTIONS], failure('malformed')),
  entry('wrong origin', [ENTRY_B, PROOF_1, NOTE_7, KEY_1, { origin: 'other.example/log' }], failure('wrong_origin')),

  inclusion('valid', [PROOF_6, NOTE_7, KEY_1], { ok: true, checkpoint: CHECKPOINT_7, signedBy: [KEY_1] }),
  inclusion('treeSize other than the checkpoint', [{ ...PROOF_6, treeSize: 6 }, NOTE_7, KEY_1], failure('bad_proof')),
  inclusion('leafIndex not below treeSize', [{ ...PROOF_6, leafIndex: 7 }, NOTE_7, KEY_1], failure('bad_proof')),
  inclusion(
    'one bit of the audit path flipped',
    [{ ...PROOF_6, auditPath: ['k1iQESGokdWYrNsWEmRHrfxs0PNCUdeBAi/pQG6vd7Q=', PROOF_6.auditPath[1]] }, NOTE_7, KEY_1],
    failure('root_mismatch'),
  ),
  inclusion(
    'audit path one hash short',
    [{ ...PROOF_6, auditPath: PROOF_6.auditPath.slice(1) }, NOTE_7, KEY_1],
    failure('root_mismatch'),
  ),
  inclusion('leaf hash of another leaf', [{ ...PROOF_6, leafHash: LEAF_1 }, NOTE_7, KEY_1], failure('root_mismatch')),
  inclusion(
    'audit path hash not base64',
    [{ ...PROOF_6, auditPath: ['not base64', PROOF_6.auditPath[1]] }, NOTE_7, KEY_1],
    failure('malformed'),
  ),
  inclusion('checkpoint of another key', [PROOF_6, NOTE_7_KEY_2, KEY_1], failure('unknown_key')),

  consistency('valid, 3 to 7', [CONSISTENCY_3_7, NOTE_3, NOTE_7, KEY_1], {
    ok: true,
    oldCheckpoint: CHECKPOINT_3,
    newCheckpoint: CHECKPOINT_7,
  }),
  consistency('valid across a key rotation', [CONSISTENCY_3_7, NOTE_3, NOTE_7_KEY_2, [KEY_1, KEY_2], OPTIONS], {
    ok: true,
  }),
  consistency('equal sizes, empty path', [{ oldSize: 7, newSize: 7, path: [] }, NOTE_7, NOTE_7_KEY_2, [KEY_1, KEY_2]], {
    ok: true,
  }),
  consistency(
    'checkpoints of two different trees',
    [CONSISTENCY_3_7, NOTE_3_OTHER_TREE, NOTE_7, KEY_1],
    failure('root_mismatch'),
  ),
  consistency(
    'one bit of the path flipped',
    [
      {
        ...CONSISTENCY_3_7,
        path: CONSISTENCY_3_7.path.map((h, i) => (i === 1 ? 'rW2kq3hxqBGEzkw3muk4o4BRWBVR/br+QucTHXxqlwo=' : h)),
      },
      NOTE_3,
      NOTE_7,
      KEY_1,
    ],
    failure('root_mismatch'),
  ),
  consistency(
    'checkpoints given newest first',
    [{ oldSize: 7, newSize: 3, path: [] }, NOTE_7, NOTE_3, KEY_1],
    failure('bad_proof'),
  ),
  consistency(
    'sizes other than the checkpoints',
    [{ ...CONSISTENCY_3_7, oldSize: 2 }, NOTE_3, NOTE_7, KEY_1],
    failure('bad_proof'),
  ),
  consistency(
    'new checkpoint by an untrusted key',
    [CONSISTENCY_3_7, NOTE_3, NOTE_7_KEY_2, KEY_1],
    failure('unknown_key'),
  ),
  consistency(
    'old checkpoint edited',
    [CONSISTENCY_3_7, NOTE_3.replace('\n3\n', '\n2\n'), NOTE_7, KEY_1],
    failure('bad_signature'),
  ),
]
