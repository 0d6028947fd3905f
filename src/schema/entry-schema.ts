import { z } from 'zod'
import { ipAddressSchema, isIpAddress, isStringUserId, isUuid, type UserIdFormat, userIdSchema } from './fields.js'

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

const ENTRY_KEYS = new Set(['targetUserUuid', 'adminUserUuid', 'action', 'ipAddress', 'userAgent', 'metadata'])

function isPlainInput(input: unknown): input is Record<string, unknown> {
  if (typeof input !== 'object' || input === null) return false
  const proto = Object.getPrototypeOf(input)
  return proto === Object.prototype || proto === null
}

/**
 * The fast path of {@link entryInputSchema}: the checked write when `input` is well formed, else
 * undefined, and the schema then decides (and names what is wrong). It accepts only what the
 * schema accepts, with the same output: a write is checked by hand in well under a microsecond,
 * where zod takes about two.
 *
 * @example
 * const checked = checkEntry(input) ?? parseOrThrow(entryInputSchema(actions, 'uuid'), input)
 */
export function entryInputChecker<A extends string>(
  actions: readonly [A, ...A[]],
  userIdFormat: UserIdFormat,
): (input: unknown) => z.output<ReturnType<typeof entryInputSchema<A>>> | undefined {
  const allowed = new Set<string>(actions)
  const isUserId = userIdFormat === 'uuid' ? isUuid : isStringUserId
  return (input) => {
    if (!isPlainInput(input)) return undefined
    for (const key of Object.keys(input)) if (!ENTRY_KEYS.has(key)) return undefined
    const { targetUserUuid, adminUserUuid, action, ipAddress, userAgent, metadata } = input
    if (typeof targetUserUuid !== 'string' || !isUserId(targetUserUuid)) return undefined
    if (typeof adminUserUuid !== 'string' || !isUserId(adminUserUuid)) return undefined
    if (typeof action !== 'string' || !allowed.has(action)) return undefined
    if (ipAddress != null && (typeof ipAddress !== 'string' || !isIpAddress(ipAddress))) return undefined
    if (userAgent != null && typeof userAgent !== 'string') return undefined
    return {
      targetUserUuid,
      adminUserUuid,
      action: action as A,
      ipAddress: ipAddress as string | null | undefined,
      userAgent: userAgent as string | null | undefined,
      metadata,
    }
  }
}
