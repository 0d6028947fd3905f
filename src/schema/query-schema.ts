import { z } from 'zod'
import { dateInputSchema, type UserIdFormat, userIdSchema } from './fields.js'

/** The largest page any list function returns. */
export const MAX_LIMIT = 10_000
/** The most actions one `action` filter lists. */
export const MAX_ACTION_FILTERS = 50
/** The page size when none is given (as the seed). */
export const DEFAULT_LIMIT = 100

const limit = z.int().min(1).max(MAX_LIMIT).optional()
const offset = z.int().min(0).optional()

/** The filters shared by listLogs, countLogs, pageLogs and iterateLogs. */
export function filterShape<A extends string>(actions: readonly [A, ...A[]], userIdFormat: UserIdFormat) {
  const userId = userIdSchema(userIdFormat).optional()
  return {
    action: z
      .union([z.enum(actions), z.array(z.enum(actions)).min(1).max(MAX_ACTION_FILTERS)], {
        error: `must be one of the log's actions, or a list of 1 to ${MAX_ACTION_FILTERS} of them`,
      })
      .optional(),
    targetUserUuid: userId,
    adminUserUuid: userId,
    userUuid: userId,
    fromDate: dateInputSchema.optional(),
    toDate: dateInputSchema.optional(),
  }
}

/** Every query schema of one log. */
export function querySchemas<A extends string>(actions: readonly [A, ...A[]], userIdFormat: UserIdFormat) {
  const filters = filterShape(actions, userIdFormat)
  return {
    count: z.strictObject(filters),
    list: z.strictObject({ ...filters, limit, offset }),
    page: z.strictObject({ ...filters, limit, cursor: z.string().optional() }),
    iterate: z.strictObject({ ...filters, batchSize: z.int().min(1).max(MAX_LIMIT).optional() }),
    paging: z.strictObject({ limit, offset }),
    userId: userIdSchema(userIdFormat),
    action: z.enum(actions),
  }
}
