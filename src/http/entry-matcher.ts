import type { AuditLog, Entry, LogFilters } from '../index.js'

/**
 * The filters as a predicate on entries, for the live tail, which reads by seq and so cannot
 * filter in SQL. Call it only with filters the library has accepted. User ids are compared as the
 * library stores them: lowercase when the log's ids are UUIDs.
 */
export function entryMatcher(audit: AuditLog<string>, f: LogFilters<string>): (entry: Entry<string>) => boolean {
  const lower = usesUuidIds(audit)
  const id = (v: string | undefined) => (v === undefined || !lower ? v : v.toLowerCase())
  const target = id(f.targetUserUuid)
  const admin = id(f.adminUserUuid)
  const user = id(f.userUuid)
  const from = f.fromDate === undefined ? undefined : new Date(f.fromDate).getTime()
  const to = f.toDate === undefined ? undefined : new Date(f.toDate).getTime()
  const actions = f.action === undefined ? undefined : new Set(typeof f.action === 'string' ? [f.action] : f.action)
  return (e) =>
    (actions === undefined || actions.has(e.action)) &&
    (target === undefined || e.targetUserUuid === target) &&
    (admin === undefined || e.adminUserUuid === admin) &&
    (user === undefined || e.targetUserUuid === user || e.adminUserUuid === user) &&
    (from === undefined || e.insertedAt.getTime() >= from) &&
    (to === undefined || e.insertedAt.getTime() <= to)
}

// The public API does not say which user id format a log has; iterateLogs checks its options
// when called and reads nothing until iterated, so asking it about a non-UUID costs no query.
function usesUuidIds(audit: AuditLog<string>): boolean {
  try {
    audit.iterateLogs({ targetUserUuid: 'not-a-uuid' })
    return false
  } catch {
    return true
  }
}
