// Runs every vector through one implementation of the rules: auditkit/verify's async functions, or
// the synchronous Node.js exports (a plain value is awaited as it is). No Node.js import: the
// Chromium test bundles this file into the page. Type imports vanish from the bundle.
import type {
  ConsistencyProof,
  InclusionProof,
  LeafEntry,
  TrustedKeys,
  VerifierOptions,
  VerifyOutcome,
} from '../../src/verify.js'
import { CANONICAL_VECTORS, LEAF_VECTORS, VERIFIER_VECTORS, type VerifierVector } from './vectors.js'

type Answer<T> = T | Promise<T>

/** The functions under test, as `auditkit/verify` has them; Node.js's synchronous ones fit too. */
export interface VerifyApi {
  canonicalJson(value: unknown): string
  entryCanonicalJson(entry: LeafEntry): string
  entryLeafHash(entry: LeafEntry): Answer<Uint8Array>
  verifyCheckpoint(note: string, keys: TrustedKeys, options?: VerifierOptions): Answer<VerifyOutcome>
  verifyEntryInclusion(
    entry: LeafEntry,
    proof: InclusionProof,
    note: string,
    keys: TrustedKeys,
    options: VerifierOptions & { readonly origin: string },
  ): Answer<VerifyOutcome>
  verifyInclusionProof(
    proof: InclusionProof,
    note: string,
    keys: TrustedKeys,
    options?: VerifierOptions,
  ): Answer<VerifyOutcome>
  verifyConsistencyProof(
    proof: ConsistencyProof,
    oldNote: string,
    newNote: string,
    keys: TrustedKeys,
    options?: VerifierOptions,
  ): Answer<VerifyOutcome>
}

/** One vector's outcome: `got` is plain JSON (hashes as hex), so a page can hand it back as it is. */
export interface VectorResult {
  readonly name: string
  readonly passed: boolean
  readonly got: unknown
}

function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** The vector's arguments with every `{ $hex }` made a Uint8Array; Dates and other values kept. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive)
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  if (keys.length === 1 && typeof record.$hex === 'string') return fromHex(record.$hex)
  return Object.fromEntries(keys.map((k) => [k, revive(record[k])]))
}

/** Whether `got` holds everything `expected` does: objects compared by the expected keys, the rest exactly. */
function holds(got: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(got) && got.length === expected.length && expected.every((e, i) => holds(got[i], e))
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof got !== 'object' || got === null) return false
    const record = got as Record<string, unknown>
    return Object.entries(expected).every(([k, e]) => holds(record[k], e))
  }
  return Object.is(got, expected)
}

function thrown(error: unknown): { threw: string } {
  return { threw: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
}

async function runVerifier(api: VerifyApi, vector: VerifierVector): Promise<VectorResult> {
  const fn = api[vector.fn] as (...args: unknown[]) => Answer<VerifyOutcome>
  let got: unknown
  try {
    got = await fn(...(revive(vector.args) as unknown[]))
  } catch (error) {
    // A verifier answers; it never throws or rejects on what it was given.
    return { name: vector.name, passed: false, got: thrown(error) }
  }
  return { name: vector.name, passed: holds(got, vector.expect), got }
}

/**
 * Runs every vector (canonical JSON, entry leaves, verifiers) in order and answers each one's
 * outcome; it never throws for a failed vector.
 *
 * @example
 * const failed = (await runVectors(await import('auditkit/verify'))).filter((r) => !r.passed)
 */
export async function runVectors(api: VerifyApi): Promise<VectorResult[]> {
  const results: VectorResult[] = []
  for (const v of CANONICAL_VECTORS) {
    let got: unknown
    let refused = false
    try {
      got = api.canonicalJson(v.value)
    } catch (error) {
      refused = error instanceof TypeError
      got = thrown(error)
    }
    results.push({ name: v.name, passed: v.json === null ? refused : got === v.json, got })
  }
  for (const v of LEAF_VECTORS) {
    let got: unknown
    try {
      const entry = v.entry as LeafEntry
      got = { json: api.entryCanonicalJson(entry), leaf: toHex(await api.entryLeafHash(entry)) }
    } catch (error) {
      got = thrown(error)
    }
    results.push({ name: v.name, passed: holds(got, { json: v.json, leaf: v.leaf }), got })
  }
  for (const v of VERIFIER_VECTORS) results.push(await runVerifier(api, v))
  return results
}
