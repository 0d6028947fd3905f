import { z } from 'zod'
import { MAX_LIMIT } from './query-schema.js'

// The options of the reads by position in the sealed tree (exportLog, readSealed) and of
// listCheckpoints; unknown keys are refused, as everywhere.
const seq = z
  .int({ error: 'must be a non-negative integer' })
  .min(0, { error: 'must be a non-negative integer' })
  .max(Number.MAX_SAFE_INTEGER)
export const exportRangeSchema = z
  .strictObject({ fromSeq: seq.optional(), toSeq: seq.optional() })
  .refine((r) => r.toSeq === undefined || r.fromSeq === undefined || r.fromSeq <= r.toSeq, {
    error: 'must not be below fromSeq',
    path: ['toSeq'],
  })
export const readSealedSchema = z
  .strictObject({ fromSeq: seq, toSeq: seq })
  .refine((r) => r.fromSeq <= r.toSeq, { error: 'must not be below fromSeq', path: ['toSeq'] })
  .refine((r) => r.toSeq - r.fromSeq <= MAX_LIMIT, {
    error: `must be at most ${MAX_LIMIT} above fromSeq`,
    path: ['toSeq'],
  })
export const listCheckpointsSchema = z.strictObject({
  fromSize: seq.optional(),
  limit: z.int({ error: 'must be an integer from 1 to 1000' }).min(1).max(1000).optional(),
})
