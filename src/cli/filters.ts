import { type Command, InvalidArgumentError } from 'commander'
import type { LogFilters } from '../index.js'
import { collect } from './key-files.js'

/** The filter flags of list, count, tail and export, as commander parses them. */
export interface FilterFlags {
  /** Repeated for any of several. */
  readonly action?: string[]
  readonly target?: string
  readonly admin?: string
  readonly user?: string
  readonly from?: string
  readonly to?: string
}

/** Adds the filters of `listLogs` as flags: --action, --target, --admin, --user, --from, --to. */
export function addFilterOptions(command: Command): Command {
  return command
    .option('--action <action>', 'only entries with this action; repeat for any of several', collect)
    .option('--target <user>', 'only entries whose target is this user')
    .option('--admin <user>', 'only entries whose admin is this user')
    .option('--user <user>', 'only entries where this user is the target or the admin')
    .option('--from <date>', 'only entries inserted at or after this ISO-8601 date or date-time (inclusive)')
    .option('--to <date>', 'only entries inserted at or before this ISO-8601 date or date-time (inclusive)')
}

/** The flags as the library's filters; the library checks them (and names the field when refusing one). */
export function toFilters(o: FilterFlags): LogFilters<string> {
  return {
    action: o.action?.length === 1 ? o.action[0] : o.action,
    targetUserUuid: o.target,
    adminUserUuid: o.admin,
    userUuid: o.user,
    fromDate: o.from,
    toDate: o.to,
  }
}

/** A commander parser for a non-negative integer flag (`--limit`, `--from-seq`...): anything else is a usage error. */
export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a non-negative integer')
  }
  return Number(value)
}
