import type { Entry, LogFilters } from './entry.js'
import type { UserIdFormat } from './schema/fields.js'

/**
 * The filters of `listLogs` as a predicate on entries, for readers that follow the log by seq and
 * so cannot filter in SQL (a live tail). Give it filters the library has accepted (a list call
 * checks them) and the log's `userIdFormat`: user ids are compared as the log stores them,
 * lowercase when they are UUIDs. Dates compare as instants, both ends inclusive.
 *
 * @example
 * const matches = entryFilter({ action: ['user_locked', 'user_deleted'] }, audit.userIdFormat)
 * for (const entry of await audit.readSealed({ fromSeq, toSeq })) if (matches(entry)) show(entry)
 */
export function entryFilter<A extends string>(
  filters: LogFilters<A>,
  userIdFormat: UserIdFormat = 'uuid',
): (entry: Entry<A>) => boolean {
  const id = (v: string | undefined) => (v === undefined || userIdFormat !== 'uuid' ? v : v.toLowerCase())
  const target = id(filters.targetUserUuid)
  const admin = id(filters.adminUserUuid)
  const user = id(filters.userUuid)
  const from = filters.fromDate === undefined ? undefined : new Date(filters.fromDate).getTime()
  const to = filters.toDate === undefined ? undefined : new Date(filters.toDate).getTime()
  const { action } = filters
  const actions = action === undefined ? undefined : new Set<string>(typeof action === 'string' ? [action] : action)
  return (e) =>
    (actions === undefined || actions.has(e.action)) &&
    (target === undefined || e.targetUserUuid === target) &&
    (admin === undefined || e.adminUserUuid === admin) &&
    (user === undefined || e.targetUserUuid === user || e.adminUserUuid === user) &&
    (from === undefined || e.insertedAt.getTime() >= from) &&
    (to === undefined || e.insertedAt.getTime() <= to)
}
