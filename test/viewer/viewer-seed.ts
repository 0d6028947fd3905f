import type { AuditLog, Entry, LogEntryInput } from '../../src/index.js'

/** What a user agent field can hold: markup that would run if the viewer ever rendered it as HTML. */
export const HOSTILE_AGENT = '<img src=x onerror=alert(1)>'

/** The users of the seeded log, by name. */
export const USERS = {
  alice: '0190a000-0000-7000-8000-00000000a11c',
  bob: '0190a000-0000-7000-8000-000000000b0b',
  carol: '0190a000-0000-7000-8000-00000000ca01',
  dave: '0190a000-0000-7000-8000-00000000da7e',
  root: '0190a000-0000-7000-8000-0000000000ad',
} as const

const ACTIONS = [
  'user_created',
  'user_updated',
  'user_locked',
  'role_assigned',
  'role_revoked',
  'user_deleted',
] as const
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'curl/8.5.0',
  null,
]
const TARGETS = [USERS.alice, USERS.bob, USERS.carol, USERS.dave]
const ADMINS = [USERS.root, USERS.bob, USERS.alice]

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** How long ago each group of entries was written: every quick range (1h, 24h, 7d, 30d) splits them. */
const AGES = [40 * DAY, 10 * DAY, 2 * DAY, 5 * HOUR]
const PER_OLD_AGE = 3
const RECENT = 50
// Among the newest, so that it is on the first page.
const HOSTILE_INDEX = AGES.length * PER_OLD_AGE + RECENT - 3

/** Entry `i` of the seed: every action, user role, IP kind and agent comes round; one agent is hostile. */
export function seedInput(i: number): LogEntryInput<string> {
  const metadata: Record<string, unknown> = { n: i, reason: `seeded #${i}` }
  if (i % 4 === 0) metadata.change = { field: 'email', from: `u${i}@example.com`, to: `v${i}@example.com` }
  if (i % 9 === 0) metadata.tags = ['support', 'ticket', i]
  return {
    action: ACTIONS[i % ACTIONS.length] as string,
    targetUserUuid: TARGETS[i % TARGETS.length] as string,
    adminUserUuid: ADMINS[i % ADMINS.length] as string,
    ipAddress: i % 5 === 4 ? null : i % 5 === 3 ? `2001:db8::${i.toString(16)}` : `10.0.${i % 3}.${i}`,
    userAgent: i === HOSTILE_INDEX ? HOSTILE_AGENT : (AGENTS[i % AGENTS.length] as string | null),
    metadata: metadata as LogEntryInput['metadata'],
  }
}

/** How many sealed entries {@link seedLog} writes. */
export const SEEDED = AGES.length * PER_OLD_AGE + RECENT

/**
 * Runs `write` as if the clock read `at`: the library takes an entry's time (and its UUIDv7) from
 * `Date.now()`, and an audit log offers no way to backdate an entry, which is the point. The
 * fixture needs entries days old for the date filters, so it moves the clock, not the rows.
 */
async function writtenAt<T>(at: number, write: () => Promise<T>): Promise<T> {
  const now = Date.now
  Date.now = () => at
  try {
    return await write()
  } finally {
    Date.now = now
  }
}

/**
 * Seeds a log: {@link SEEDED} entries from 40 days ago to a minute ago, sealed and covered by a
 * signed checkpoint; then one more entry left unsealed (nothing seals it: the server runs with
 * `--seal-interval 0`). Returns the unsealed entry.
 */
export async function seedLog(audit: AuditLog<string>): Promise<{ unsealed: Entry<string> }> {
  const start = Date.now()
  let i = 0
  for (const age of AGES) {
    const inputs = Array.from({ length: PER_OLD_AGE }, () => seedInput(i++))
    await writtenAt(start - age, () => audit.createLogEntries(inputs))
  }
  for (let k = 0; k < RECENT; k++) {
    const input = seedInput(i++)
    await writtenAt(start - (RECENT - k) * 1000, () => audit.createLogEntry(input))
  }
  await audit.seal()
  await audit.checkpoint()
  const unsealed = await audit.createLogEntry({
    action: 'user_unlocked',
    targetUserUuid: USERS.carol,
    adminUserUuid: USERS.root,
    ipAddress: '192.0.2.1',
    userAgent: 'written while sealing is paused',
    metadata: { sealed: false },
  })
  return { unsealed }
}

/** Every entry of the log, newest first (as the viewer lists them). */
export async function allEntries(audit: AuditLog<string>): Promise<Entry<string>[]> {
  const entries = await audit.listLogs({ limit: 10_000 })
  return entries.sort((a, b) => b.insertedAt.getTime() - a.insertedAt.getTime() || (a.uuid < b.uuid ? 1 : -1))
}

/** The filters of the viewer's URL, applied to entries in memory: what the page should show. */
export interface ViewFilter {
  readonly actions?: readonly string[]
  readonly user?: string
  readonly role?: 'either' | 'target' | 'admin'
  readonly from?: Date
  readonly to?: Date
}

export function matches(entry: Entry<string>, filter: ViewFilter): boolean {
  if (filter.actions !== undefined && filter.actions.length > 0 && !filter.actions.includes(entry.action)) return false
  if (filter.user !== undefined) {
    const role = filter.role ?? 'either'
    const asTarget = entry.targetUserUuid === filter.user
    const asAdmin = entry.adminUserUuid === filter.user
    if (role === 'target' ? !asTarget : role === 'admin' ? !asAdmin : !(asTarget || asAdmin)) return false
  }
  if (filter.from !== undefined && entry.insertedAt < filter.from) return false
  if (filter.to !== undefined && entry.insertedAt > filter.to) return false
  return true
}

/** The entries of `filter`, newest first. */
export async function expectedEntries(audit: AuditLog<string>, filter: ViewFilter): Promise<Entry<string>[]> {
  return (await allEntries(audit)).filter((e) => matches(e, filter))
}
