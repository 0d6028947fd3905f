import type { JsonValue, Metadata } from './schema/metadata.js'

/**
 * One stored audit log entry.
 *
 * @example
 * const entry: Entry = await audit.getLog(uuid)
 * console.log(entry.action, entry.adminUserUuid, entry.insertedAt.toISOString())
 */
export interface Entry<A extends string = string> {
  /** A UUIDv7; its timestamp equals `insertedAt`. */
  readonly uuid: string
  /** The user the action was done to. */
  readonly targetUserUuid: string
  /** The admin who did it. */
  readonly adminUserUuid: string
  readonly action: A
  readonly ipAddress: string | null
  /** As sent by the client, cut to 2048 characters, NUL and lone surrogates replaced by U+FFFD. */
  readonly userAgent: string | null
  /** Extra context, as stored (see {@link LogEntryInput.metadata}). */
  readonly metadata: { [key: string]: JsonValue }
  /** When the entry was written, to the millisecond. */
  readonly insertedAt: Date
  /**
   * The entry's position in the sealed log (0, 1, 2, ... without gaps), or null until the sealer
   * has sealed it (see `seal()`). Not part of the entry's leaf hash: it is the leaf's index.
   */
  readonly seq: number | null
}

/**
 * The input of `createLogEntry`.
 *
 * @example
 * await audit.createLogEntry({ targetUserUuid, adminUserUuid, action: 'user_locked', ipAddress: '10.0.0.1', metadata: { reason: 'fraud' } })
 */
export interface LogEntryInput<A extends string = string> {
  /** The user the action was done to (required): a UUID, or any string when `userIdFormat: 'string'`. */
  targetUserUuid: string
  /** The admin who did it (required). */
  adminUserUuid: string
  /** One of the log's configured actions (required). */
  action: A
  /** A valid IPv4 or IPv6 address; `null` or absent when unknown. */
  ipAddress?: string | null | undefined
  /** Never refused: cut to 2048 characters; NUL and lone surrogates become U+FFFD. */
  userAgent?: string | null | undefined
  /**
   * A plain JSON object (default `{}`), at most 64 KiB as JSON, nested at most 64 deep. Strings
   * (keys too) are made storable like the user agent; Dates become ISO strings; properties that are
   * `undefined` are dropped; keys are stored in PostgreSQL's jsonb order on every engine. Cycles,
   * functions, BigInts, non-finite numbers and class instances are refused.
   */
  metadata?: Metadata | undefined
}

/**
 * The input of `logPasswordChange`: a {@link LogEntryInput} whose `action` defaults to `admin_password_reset`.
 *
 * @example
 * await audit.logPasswordChange({ targetUserUuid, adminUserUuid, ipAddress: req.ip, userAgent: req.get('user-agent') })
 */
export type PasswordChangeInput<A extends string = string> = Omit<LogEntryInput<A>, 'action'> & {
  action?: A | undefined
}

/** Filters shared by `listLogs`, `countLogs`, `pageLogs` and `iterateLogs`. All are optional and combine with AND. */
export interface LogFilters<A extends string = string> {
  /** Only entries with this action, or with one of these (at most 50). */
  action?: A | readonly A[] | undefined
  /** Only entries whose target is this user. */
  targetUserUuid?: string | undefined
  /** Only entries whose admin is this user. */
  adminUserUuid?: string | undefined
  /** Only entries where this user is the target or the admin (as `listLogsForUser`). */
  userUuid?: string | undefined
  /** Only entries inserted at or after this instant (inclusive). A Date or an ISO-8601 string. */
  fromDate?: Date | string | undefined
  /** Only entries inserted at or before this instant (inclusive). A Date or an ISO-8601 string. */
  toDate?: Date | string | undefined
}

/** Offset paging: `limit` 1..10000 (default 100), `offset` >= 0 (default 0). */
export interface Paging {
  limit?: number | undefined
  offset?: number | undefined
}

/** The options of `listLogs`: filters plus offset paging. */
export type ListOptions<A extends string = string> = LogFilters<A> & Paging

/** The options of `pageLogs`: filters, a page size, and the `nextCursor` of the previous page. */
export type PageOptions<A extends string = string> = LogFilters<A> & {
  limit?: number | undefined
  cursor?: string | undefined
}

/** The options of `iterateLogs`: filters and how many entries to read per query (default 500). */
export type IterateOptions<A extends string = string> = LogFilters<A> & { batchSize?: number | undefined }

/** One page from `pageLogs`. `nextCursor` is null on the last page. */
export interface Page<A extends string = string> {
  readonly entries: Entry<A>[]
  readonly nextCursor: string | null
}
