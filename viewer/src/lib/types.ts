import type { InclusionProof, LeafEntry } from '../../../src/verify.js'

/** An entry as `/v1/events` lists it: the leaf's fields (JSON: insertedAt an ISO-8601 string) and its seq. */
export interface WireEntry extends Omit<LeafEntry, 'metadata' | 'insertedAt'> {
  readonly metadata: Record<string, unknown>
  readonly insertedAt: string
  readonly seq: number | null
}

/** `GET /v1/events`. */
export interface EventsPage {
  readonly entries: WireEntry[]
  readonly nextCursor: string | null
}

/** `GET /v1/log`. */
export interface LogInfo {
  readonly origin: string
  readonly treeSize: number
  readonly rootHash: string
  readonly publicKey: string | null
  readonly verifierKey: string | null
  readonly actions?: readonly string[]
}

/** One item of `GET /v1/log/proofs`. */
export type ProofItem =
  | { readonly uuid: string; readonly seq: number; readonly proof: InclusionProof }
  | { readonly uuid: string; readonly status: 'unsealed' | 'not_found' | (string & {}) }

/** `GET /v1/log/proofs`: every proof against the one checkpoint. */
export interface ProofBatch {
  /** Null when none of the entries asked is sealed. */
  readonly checkpoint: string | null
  readonly proofs: readonly ProofItem[]
}

/** A row's verification badge. */
export interface Badge {
  readonly state: 'pending' | 'verified' | 'unsealed' | 'failed'
  /** Why, for the title and the detail panel. */
  readonly reason: string
  /** The proof and checkpoint it was checked against, for the detail panel. */
  readonly proof?: InclusionProof
  readonly checkpoint?: string
}
