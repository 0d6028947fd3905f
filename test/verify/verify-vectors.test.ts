import { beforeAll, describe, expect, test, vi } from 'vitest'
import * as node from '../../src/index.js'
import { canonicalJson } from '../../src/tlog/canonical-json.js'
import { formatCheckpoint } from '../../src/tlog/checkpoint.js'
import { consistencyProof, inclusionProof, MerkleFrontier } from '../../src/tlog/merkle.js'
import { generateNoteKeyPair, parseSignerKey, signNote } from '../../src/tlog/note-keys.js'
import * as web from '../../src/verify.js'
import { randomEntry, seededRandom } from './random-entry.js'
import { runVectors, type VectorResult, type VerifyApi } from './run-vectors.js'
import {
  CANONICAL_VECTORS,
  CONSISTENCY_3_7,
  ENTRIES,
  ENTRY_C,
  KEY_1,
  KEY_2,
  LEAF_VECTORS,
  LEAVES,
  NOTE_3,
  NOTE_3_OTHER_TREE,
  NOTE_7,
  NOTE_7_BOTH_KEYS,
  NOTE_7_KEY_2,
  NOTE_NOT_CHECKPOINT,
  ORIGIN,
  PROOF_1,
  PROOF_6,
  SIGNER_KEY_1,
  SIGNER_KEY_2,
  VERIFIER_VECTORS,
} from './vectors.js'

// The package root's verifiers: the same rules, run synchronously with node:crypto.
const NODE_API: VerifyApi = {
  canonicalJson,
  entryCanonicalJson: node.entryCanonicalJson,
  entryLeafHash: node.entryLeafHash,
  verifyCheckpoint: node.verifyCheckpoint,
  verifyEntryInclusion: node.verifyEntryInclusion,
  verifyInclusionProof: node.verifyInclusionProof,
  verifyConsistencyProof: node.verifyConsistencyProof,
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const failures = (results: readonly VectorResult[]) =>
  results.filter((r) => !r.passed).map((r) => `${r.name}: got ${JSON.stringify(r.got)}`)

// Node.js first reads keys in every form it takes (PEM, KeyObject) and words a refused key as its
// ValidationError, so a `bad_key` detail is another sentence there: the code is what must agree.
const comparable = (got: unknown) =>
  (got as { code?: unknown } | null)?.code === 'bad_key' ? { ok: false, code: 'bad_key' } : got

describe('known-answer vectors', () => {
  let webResults: VectorResult[]
  let nodeResults: VectorResult[]
  beforeAll(async () => {
    webResults = await runVectors(web)
    nodeResults = await runVectors(NODE_API)
  })

  test('every vector has its own name', () => {
    const names = [...CANONICAL_VECTORS, ...LEAF_VECTORS, ...VERIFIER_VECTORS].map((v) => v.name)
    expect(new Set(names).size).toBe(names.length)
    expect(webResults.map((r) => r.name)).toEqual(names)
  })

  test('every vector passes in auditkit/verify (WebCrypto)', () => {
    expect(failures(webResults)).toEqual([])
  })

  test('every vector passes in the package root (node:crypto, synchronous)', () => {
    expect(failures(nodeResults)).toEqual([])
  })

  test('both answer every vector with the same result object', () => {
    const answers = (results: readonly VectorResult[]) => results.map((r) => [r.name, comparable(r.got)])
    expect(answers(nodeResults)).toEqual(answers(webResults))
  })

  test("the package root's verifiers answer synchronously", () => {
    const result = node.verifyCheckpoint(NOTE_7, KEY_1)
    expect(result).not.toBeInstanceOf(Promise)
    expect(result.ok).toBe(true)
  })
})

type Signer = ReturnType<typeof parseSignerKey>
const SIGNER_1 = parseSignerKey(SIGNER_KEY_1)
const SIGNER_2 = parseSignerKey(SIGNER_KEY_2)

/** A tree of `leaves` as the log builds it: nodes stored from what MerkleFrontier.append reports. */
function buildTree(leaves: readonly Uint8Array[]) {
  const nodes = new Map<string, Uint8Array>()
  const roots: Uint8Array[] = []
  const frontier = new MerkleFrontier()
  for (const leaf of leaves) {
    for (const n of frontier.append(leaf)) nodes.set(`${n.level}/${n.index}`, n.hash)
    roots.push(frontier.root())
  }
  return {
    getNode: (level: number, index: number) => nodes.get(`${level}/${index}`) as Uint8Array,
    note: (size: number, ...signers: [Signer, ...Signer[]]) =>
      signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: roots[size - 1] as Uint8Array }), ...signers),
  }
}

describe('the vectors are what auditkit signs and proves', () => {
  const leaves = ENTRIES.map((e) => node.entryLeafHash(e))
  const { getNode, note } = buildTree(leaves)

  test('keys, leaves and notes', () => {
    expect([SIGNER_1.verifierKey, SIGNER_2.verifierKey]).toEqual([KEY_1, KEY_2])
    expect(leaves.map(hex)).toEqual(LEAVES)
    expect(note(7, SIGNER_1)).toBe(NOTE_7)
    expect(note(3, SIGNER_1)).toBe(NOTE_3)
    expect(note(7, SIGNER_2)).toBe(NOTE_7_KEY_2)
    expect(note(7, SIGNER_1, SIGNER_2)).toBe(NOTE_7_BOTH_KEYS)
    expect(signNote(`${ORIGIN}\nhello\n`, SIGNER_1)).toBe(NOTE_NOT_CHECKPOINT)
    const other = buildTree([...leaves.slice(0, 2), node.entryLeafHash({ ...ENTRY_C, action: 'user_deleted' })])
    expect(other.note(3, SIGNER_1)).toBe(NOTE_3_OTHER_TREE)
  })

  test('proofs', () => {
    expect(PROOF_1.leafHash).toBe(base64(leaves[1] as Uint8Array))
    expect(PROOF_1.auditPath).toEqual(inclusionProof(1, 7, getNode).map(base64))
    expect(PROOF_6.leafHash).toBe(base64(leaves[6] as Uint8Array))
    expect(PROOF_6.auditPath).toEqual(inclusionProof(6, 7, getNode).map(base64))
    expect(CONSISTENCY_3_7.path).toEqual(consistencyProof(3, 7, getNode).map(base64))
  })
})

describe('random entries (seed 20260115)', () => {
  const random = seededRandom(20260115)
  const entries = Array.from({ length: 400 }, () => randomEntry(random))

  test('auditkit/verify hashes each to the bytes the package root does', async () => {
    const mismatched: string[] = []
    for (const [i, entry] of entries.entries()) {
      const browser = hex(await web.entryLeafHash(entry))
      if (browser !== hex(node.entryLeafHash(entry))) mismatched.push(`#${i} ${JSON.stringify(entry)}`)
    }
    expect(mismatched).toEqual([])
  })

  test('auditkit/verify proves sealed entries in the tree the package root built', async () => {
    const leaves = entries.map((e) => node.entryLeafHash(e))
    const { getNode, note } = buildTree(leaves)
    const checkpoint = note(entries.length, SIGNER_1)
    for (const i of [0, 1, 2, 127, 128, 255, 256, 398, 399]) {
      const proof = {
        leafIndex: i,
        treeSize: entries.length,
        leafHash: base64(leaves[i] as Uint8Array),
        auditPath: inclusionProof(i, entries.length, getNode).map(base64),
      }
      const result = await web.verifyEntryInclusion(entries[i]!, proof, checkpoint, KEY_1, { origin: ORIGIN })
      expect(result, `entry #${i}`).toMatchObject({ ok: true, leafHash: proof.leafHash })
    }
  })
})

describe('a runtime whose WebCrypto cannot check Ed25519', () => {
  test('rejects with an error saying so, instead of answering bad_signature for a valid checkpoint', async () => {
    // A key never imported before, so that the (cached) import is attempted under the stub.
    const pair = generateNoteKeyPair(ORIGIN)
    const note = signNote(
      formatCheckpoint({ origin: ORIGIN, size: 0, rootHash: new Uint8Array(32) }),
      parseSignerKey(pair.signerKey),
    )
    const subtle = globalThis.crypto.subtle
    const spy = vi
      .spyOn(subtle, 'importKey')
      .mockRejectedValue(Object.assign(new Error('Unrecognized algorithm name'), { name: 'NotSupportedError' }))
    try {
      await expect(web.verifyCheckpoint(note, pair.verifierKey)).rejects.toThrow(/no Ed25519/)
    } finally {
      spy.mockRestore()
    }
    // The failed import was not cached: with Ed25519 back, the same key verifies.
    expect(await web.verifyCheckpoint(note, pair.verifierKey)).toMatchObject({ ok: true })
  })
})
