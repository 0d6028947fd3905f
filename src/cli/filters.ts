import { type Command, InvalidArgumentError } from 'commander'
import type { Entry, LogFilters } from '../index.js'

/** The filter flags of list, count, tail and export, as commander parses them. */
export interface FilterFlags {
  readonly action?: string
  readonly target?: string
  readonly admin?: string
  readonly user?: string
  readonly from?: string
  readonly to?: string
}

/** Adds the filters of `listLogs` as flags: --action, --target, --admin, --user, --from, --to. */
export function addFilterOptions(command: Command): Command {
  return command
    .option('--action <action>', 'only entries with this action')
    .option('--target <user>', 'only entries whose target is this user')
    .option('--admin <user>', 'only entries whose admin is this user')
    .option('--user <user>', 'only entries where this user is the target or the admin')
    .option('--from <date>', 'only entries inserted at or after this ISO-8601 date or date-time (inclusive)')
    .option('--to <date>', 'only entries inserted at or before this ISO-8601 date or date-time (inclusive)')
}

/** The flags as the library's filters; the library checks them (and names the field when refusing one). */
export function toFilters(o: FilterFlags): LogFilters<string> {
  return {
    action: o.action,
    targetUserUuid: o.target,
    adminUserUuid: o.admin,
    userUuid: o.user,
    fromDate: o.from,
    toDate: o.to,
  }
}

/**
 * The filters as a predicate on entries, for `tail`, which reads by seq and so cannot filter in
 * SQL. Call it only with filters the library has accepted. User ids are compared as the library
 * stores them: lowercase when they are UUIDs.
 */
export function entryMatcher(o: FilterFlags, userIdFormat = 'uuid'): (entry: Entry<string>) => boolean {
  const id = (v: string | undefined) => (v === undefined || userIdFormat !== 'uuid' ? v : v.toLowerCase())
  const target = id(o.target)
  const admin = id(o.admin)
  const user = id(o.user)
  const from = o.from === undefined ? undefined : new Date(o.from).getTime()
  const to = o.to === undefined ? undefined : new Date(o.to).getTime()
  return (e) =>
    (o.action === undefined || e.action === o.action) &&
    (target === undefined || e.targetUserUuid === target) &&
    (admin === undefined || e.adminUserUuid === admin) &&
    (user === undefined || e.targetUserUuid === user || e.adminUserUuid === user) &&
    (from === undefined || e.insertedAt.getTime() >= from) &&
    (to === undefined || e.insertedAt.getTime() <= to)
}

/** A commander parser for a non-negative integer flag (`--limit`, `--from-seq`...): anything else is a usage error. */
export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a non-negative integer')
  }
  return Number(value)
}
