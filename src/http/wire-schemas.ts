import { z } from 'zod'
import { type InputSchemas, METADATA_MAX_BYTES } from '../index.js'
import { MAX_BATCH_PROOFS } from './batch-proofs.js'
import { MAX_BATCH } from './write-routes.js'

// What the service sends and the parameters its routes own, as zod schemas: the OpenAPI document
// is generated from these and from the log's own input schemas, one schema per concept.

/** An entry's extra context: a plain JSON object. */
export const metadataSchema = z
  .record(z.string(), z.unknown())
  .describe(`A plain JSON object, at most ${METADATA_MAX_BYTES} bytes (64 KiB) as JSON, nested at most 64 deep.`)

/** One entry as JSON (`Entry` with `insertedAt` as an ISO-8601 string). */
export const entrySchema = z.object({
  uuid: z.uuid().describe('A UUIDv7; its timestamp equals insertedAt.'),
  targetUserUuid: z.string().describe('The user the action was done to.'),
  adminUserUuid: z.string().describe('The admin who did it.'),
  action: z.string(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  metadata: metadataSchema,
  insertedAt: z.iso.datetime().describe('When the entry was written, to the millisecond (UTC).'),
  seq: z.int().min(0).nullable().describe("The entry's position in the sealed log, null until sealed."),
})

/** The entries `POST /v1/events/batch` wrote, in the order given. */
export const entriesSchema = z.array(entrySchema)

/** An entry's uuid in a path: any UUID, in either case. */
export const entryUuidSchema = z.guid()

/** One page of `GET /v1/events`. */
export const pageSchema = z.object({
  entries: z.array(entrySchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
})

/** The answer of `GET /v1/events/count`. */
export const countSchema = z.object({ count: z.int().min(0) })

/** The body of `POST /v1/events/batch`, built from the log's own entry schema. */
export function batchRequestSchema(inputs: InputSchemas) {
  return z.strictObject({ entries: z.array(inputs.entry).max(MAX_BATCH) })
}

const base64 = z.base64()

/** An RFC 6962 inclusion proof (`InclusionProof`), hashes in base64. */
export const inclusionProofSchema = z.object({
  leafIndex: z.int().min(0),
  treeSize: z.int().min(1),
  leafHash: base64,
  auditPath: z.array(base64),
})

/** An RFC 6962 consistency proof (`ConsistencyProof`), hashes in base64. */
export const consistencyProofSchema = z.object({
  oldSize: z.int().min(0),
  newSize: z.int().min(0),
  path: z.array(base64),
})

/** The answer of `GET /v1/events/{uuid}/proof`: what `verifyEntryInclusion` takes. */
export const entryProofSchema = z.object({
  entry: entrySchema,
  proof: inclusionProofSchema,
  checkpoint: z.string().describe('The signed checkpoint note (C2SP signed-note) the proof is against.'),
})

/** The answer of `GET /v1/log`. */
export const logInfoSchema = z.object({
  origin: z.string(),
  treeSize: z.int().min(0),
  rootHash: base64.describe('The RFC 6962 root hash of the sealed tree, base64.'),
  publicKey: z.string().nullable().describe("The log's public key as PEM, null without a signing key."),
  verifierKey: z.string().nullable().describe('The same key as a C2SP verifier key, null without a signing key.'),
  actions: z.array(z.string()).describe("The log's actions."),
})

/** The query of `GET /v1/log/proofs`: the entries to prove. */
export const batchProofsQuerySchema = z.strictObject({
  uuid: z
    .array(entryUuidSchema)
    .min(1)
    .max(MAX_BATCH_PROOFS)
    .describe('An entry to prove; repeat for each (at most 100).'),
})

/** The answer of `GET /v1/log/proofs`: every proof against one checkpoint. */
export const batchProofsSchema = z.object({
  checkpoint: z
    .string()
    .nullable()
    .describe('The signed checkpoint note every proof is against; null when no entry asked for is sealed.'),
  treeSize: z.int().min(1).nullable(),
  proofs: z
    .array(
      z.union([
        z.object({ uuid: z.string(), seq: z.int().min(0), proof: inclusionProofSchema }),
        z.object({
          uuid: z.string(),
          status: z
            .enum(['unsealed', 'not_found', 'leaf_mismatch', 'entry_missing', 'tree_damaged', 'history_rewritten'])
            .describe('Why there is no proof: not sealed yet, no such entry, or the integrity problem the log found.'),
          detail: z.string().optional(),
        }),
      ]),
    )
    .describe('One answer per uuid, in the order asked.'),
})

/** The answer of `/healthz` and `/readyz`. */
export const healthSchema = z.object({ ok: z.literal(true) })

/** An RFC 9457 problem details object (`Problem`), the body of every error. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int().min(400).max(599),
  detail: z.string(),
  errors: z
    .array(z.object({ field: z.string(), message: z.string() }))
    .optional()
    .describe('Each offending field of a 400.'),
})

/** `Idempotent-Replayed`: sent on a replayed response. */
export const idempotentReplayedSchema = z.literal('true')

/** A position in the sealed log, or a tree size. */
export const seqSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER)

/** The query of `GET /v1/events/export` beyond the filters. */
export const exportQuerySchema = z.strictObject({ format: z.enum(['jsonl', 'csv']).default('jsonl') })

/** The query of `GET /v1/events/stream` beyond the filters: where the tail starts (inclusive) when no Last-Event-ID is sent. */
export const streamQuerySchema = z.strictObject({ fromSeq: seqSchema.optional() })

/** The query of `GET /v1/log/consistency`: two tree sizes. */
export const consistencyQuerySchema = z.strictObject({ from: seqSchema, to: seqSchema })
