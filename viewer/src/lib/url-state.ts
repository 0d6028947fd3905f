// The view as the query string of `/` (viewer/README.md, "URL state"): every filter, the page and
// the UTC toggle, so that a view can be bookmarked, shared, reloaded and walked with back/forward.
// Never a key.
import type { Query } from './api.js'

export type Role = 'either' | 'target' | 'admin'
export type QuickRange = '1h' | '24h' | '7d' | '30d'

export const QUICK_RANGES: readonly QuickRange[] = ['1h', '24h', '7d', '30d']
export const PAGE_SIZES = [25, 50, 100, 250] as const
export const DEFAULT_LIMIT = 50

const RANGE_MS: Record<QuickRange, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
}

/** What the URL says. */
export interface ViewState {
  readonly actions: readonly string[]
  readonly user: string
  readonly role: Role
  readonly from: string
  readonly to: string
  readonly range: QuickRange | ''
  readonly limit: number
  readonly cursor: string
  readonly utc: boolean
}

const ROLES: readonly Role[] = ['either', 'target', 'admin']

function isRange(value: string | null): value is QuickRange {
  return QUICK_RANGES.includes(value as QuickRange)
}

/** The view of a query string; anything unreadable falls back to its default. */
export function parseView(search: string): ViewState {
  const p = new URLSearchParams(search)
  const limit = Number(p.get('limit'))
  const role = p.get('role') as Role
  const range = p.get('range')
  return {
    actions: p.getAll('action').filter((a) => a !== ''),
    user: p.get('user')?.trim() ?? '',
    role: ROLES.includes(role) ? role : 'either',
    from: isRange(range) ? '' : (p.get('from') ?? ''),
    to: isRange(range) ? '' : (p.get('to') ?? ''),
    range: isRange(range) ? range : '',
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_LIMIT,
    cursor: p.get('cursor') ?? '',
    utc: p.get('utc') === '1',
  }
}

/** The query string of a view (with its '?', or '' for the default view). */
export function formatView(view: ViewState): string {
  const p = new URLSearchParams()
  for (const action of view.actions) p.append('action', action)
  if (view.user !== '') {
    p.set('user', view.user)
    p.set('role', view.role)
  }
  if (view.range !== '') p.set('range', view.range)
  else {
    if (view.from !== '') p.set('from', view.from)
    if (view.to !== '') p.set('to', view.to)
  }
  if (view.limit !== DEFAULT_LIMIT) p.set('limit', String(view.limit))
  if (view.cursor !== '') p.set('cursor', view.cursor)
  if (view.utc) p.set('utc', '1')
  const qs = p.toString()
  return qs === '' ? '' : `?${qs}`
}

const USER_PARAM: Record<Role, string> = { either: 'userUuid', target: 'targetUserUuid', admin: 'adminUserUuid' }

/**
 * The API's filters for a view (`/v1/events`, `/count`, `/export`, `/stream`). A quick range is
 * taken relative to `now`.
 */
export function apiFilters(view: ViewState, now = Date.now()): Query {
  const query: Record<string, string | readonly string[]> = {}
  if (view.actions.length > 0) query.action = view.actions
  if (view.user !== '') query[USER_PARAM[view.role]] = view.user
  if (view.range !== '') query.fromDate = new Date(now - RANGE_MS[view.range]).toISOString()
  else {
    if (view.from !== '') query.fromDate = view.from
    if (view.to !== '') query.toDate = view.to
  }
  return query
}

/** True when two views select the same entries (paging and the UTC toggle aside). */
export function sameFilters(a: ViewState, b: ViewState): boolean {
  return (
    formatView({ ...a, cursor: '', limit: 0, utc: false }) === formatView({ ...b, cursor: '', limit: 0, utc: false })
  )
}
