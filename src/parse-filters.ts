import type { LogFilters } from './entry.js'
import { ValidationError } from './errors.js'
import { toDate, type UserIdFormat } from './schema/fields.js'
import type { StoreFilters } from './store/store.js'

/** Checked filters (from the zod schema) as the store takes them: ids normalized, dates as Dates. */
export function toStoreFilters(f: LogFilters, userIdFormat: UserIdFormat): StoreFilters {
  const id = (v: string | undefined) => (v === undefined || userIdFormat !== 'uuid' ? v : v.toLowerCase())
  const fromDate = f.fromDate === undefined ? undefined : toDate(f.fromDate)
  const toDateValue = f.toDate === undefined ? undefined : toDate(f.toDate)
  if (fromDate && toDateValue && fromDate.getTime() > toDateValue.getTime()) {
    throw new ValidationError([{ field: 'fromDate', message: 'is after toDate' }])
  }
  return {
    actions: f.action === undefined ? undefined : [...new Set(typeof f.action === 'string' ? [f.action] : f.action)],
    targetUserUuid: id(f.targetUserUuid),
    adminUserUuid: id(f.adminUserUuid),
    userUuid: id(f.userUuid),
    fromDate,
    toDate: toDateValue,
  }
}
