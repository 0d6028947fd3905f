import { z } from 'zod'
import { ipAddressSchema, type UserIdFormat, userIdSchema } from './fields.js'

/**
 * The schema of one write (`createLogEntry`), built for a log's actions and user id format.
 * It checks shape and types; metadata's deep rules and the user agent's clean-up follow in
 * `toStoredEntry`.
 */
export function entryInputSchema<A extends string>(actions: readonly [A, ...A[]], userIdFormat: UserIdFormat) {
  const userId = userIdSchema(userIdFormat)
  return z.strictObject({
    targetUserUuid: userId,
    adminUserUuid: userId,
    action: z.enum(actions),
    ipAddress: ipAddressSchema.nullable().optional(),
    userAgent: z.string().nullable().optional(),
    // Checked (without a copy) by toStoredMetadata: a plain JSON object of at most 64 KiB.
    metadata: z.unknown().optional(),
  })
}

/** The schema of `logPasswordChange`: the same as a write, with `action` optional. */
export function passwordChangeSchema<A extends string>(actions: readonly [A, ...A[]], userIdFormat: UserIdFormat) {
  return entryInputSchema(actions, userIdFormat).extend({ action: z.enum(actions).optional() })
}
