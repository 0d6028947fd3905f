import { isIP } from 'node:net'
import { z } from 'zod'
import { hasUnstorableText } from './text.js'

/** How user ids are checked: `uuid` (stored lowercase) or any non-empty `string` up to 255 characters. */
export type UserIdFormat = 'uuid' | 'string'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for a UUID of any version, in either case. */
export function isUuid(value: string): boolean {
  return UUID.test(value)
}

/** True for a user id in the `string` format: 1..255 characters, no NUL, no lone surrogate. */
export function isStringUserId(value: string): boolean {
  return value.length >= 1 && value.length <= 255 && !hasUnstorableText(value)
}

/** The schema of a user id (target or admin) in the given format. */
export function userIdSchema(format: UserIdFormat) {
  if (format === 'uuid') return z.string().regex(UUID, { error: 'must be a UUID' })
  return z
    .string()
    .min(1)
    .max(255)
    .refine((s) => !hasUnstorableText(s), { error: 'must not contain NUL or lone surrogates' })
}

/** The schema of an entry's uuid (always a UUID). */
export const entryUuidSchema = z.string().regex(UUID, { error: 'must be a UUID' })

/**
 * True when `value` passes {@link entryUuidSchema}: the same test without zod, for the read
 * path's common case (a failure still gets the schema's error).
 *
 * @example
 * isEntryUuid('0190a6e2-7c3b-7d1e-9f00-2a1b3c4d5e6f') // true
 */
export function isEntryUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/** True for an IPv4 or IPv6 address of at most 64 characters. */
export function isIpAddress(value: string): boolean {
  return value.length <= 64 && isIP(value) !== 0
}

/** An IPv4 or IPv6 address. */
export const ipAddressSchema = z
  .string()
  .max(64)
  .refine((s) => isIP(s) !== 0, { error: 'must be a valid IPv4 or IPv6 address' })

/** A date filter: a Date, or an ISO-8601 date (`2026-11-25`, UTC midnight) or date-time with a zone. */
export const dateInputSchema = z.union([z.date(), z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'must be a valid Date or an ISO-8601 string with a time zone (e.g. 2026-11-25T10:00:00Z)',
})

/** Converts a checked date filter to a Date. */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? new Date(value.getTime()) : new Date(value)
}
