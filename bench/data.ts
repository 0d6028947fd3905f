import { DEFAULT_ACTIONS, type DefaultAction, type LogEntryInput } from '../src/index.js'

/** One entry as the benchmark writes it. */
export type Input = LogEntryInput<DefaultAction>

/** Ordinary users: targets and admins are drawn from them uniformly. */
export const USER_COUNT = 10_000
/** The hot user is the target of this share of entries, and the admin of as many. */
export const HOT_SHARE = 0.05
/** Roughly how many entries the selective user is the target of, whatever the table size. */
export const SELECTIVE_ENTRIES = 100
/** The share of entries whose target is one of many light users, each the target of {@link LIGHT_ENTRIES}. */
export const LIGHT_SHARE = 0.1
/** How many entries each light user is the target of, spread over the whole table. */
export const LIGHT_ENTRIES = 5

/** The i-th light user: a valid v4-shaped uuid made from its number, so no list is kept. */
export function lightUser(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
}

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'admin-cli/2.3.1 node/20.15.0',
]
const REASONS = ['support ticket', 'fraud review', 'user request', 'policy violation', 'scheduled cleanup']
const ROLES = ['viewer', 'editor', 'billing', 'owner']
const SOURCES = ['admin_panel', 'support_tool', 'api']

/** A small, fast, seeded generator (mulberry32): every run writes the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16))
  hex[12] = '4'
  hex[16] = (8 + Math.floor(random() * 4)).toString(16)
  const h = hex.join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** The users entries are about. */
export interface Population {
  readonly users: readonly string[]
  /** Target of {@link HOT_SHARE} of entries and admin of as many: the worst case of listLogsForUser. */
  readonly hotUser: string
  /** Target of about {@link SELECTIVE_ENTRIES} entries: the case of a selective count. */
  readonly selectiveUser: string
}

export function createPopulation(seed = 1): Population {
  const random = seededRandom(seed)
  const users = Array.from({ length: USER_COUNT }, () => randomUuid(random))
  return { users, hotUser: randomUuid(random), selectiveUser: randomUuid(random) }
}

function metadataFor(action: DefaultAction, random: () => number): Input['metadata'] {
  const ticket = Math.floor(random() * 1_000_000)
  if (action === 'role_assigned' || action === 'role_revoked') {
    return { role: ROLES[Math.floor(random() * ROLES.length)], ticket }
  }
  // What an app's update usually records: where it came from and what changed. Its keys are out of
  // canonical order as jsonb stores them (by length first), on both engines, so sealing and
  // verify() take the path that sorts them again.
  if (action === 'user_updated') {
    const source = SOURCES[Math.floor(random() * SOURCES.length)]
    return { source, ticket, changes: { email: { from: `old${ticket}@example.com`, to: `new${ticket}@example.com` } } }
  }
  if (random() < 0.2) return {}
  return { reason: REASONS[Math.floor(random() * REASONS.length)], ticket }
}

/**
 * Entries with a realistic spread, in three shapes at once: nine actions, targets and admins
 * drawn uniformly among {@link USER_COUNT} users; one hot user (target and admin of
 * {@link HOT_SHARE} each); many light users (targets of {@link LIGHT_SHARE} of entries,
 * {@link LIGHT_ENTRIES} each); one selective user; most entries with an IP and a user agent.
 */
export class EntryGenerator {
  readonly #random: () => number
  readonly #population: Population
  readonly #selectiveShare: number
  readonly #lightUsers: number
  #nextLight = 0

  /** `rows` is the table size, so that the selective user keeps about {@link SELECTIVE_ENTRIES} entries. */
  constructor(population: Population, rows: number, seed = 2) {
    this.#random = seededRandom(seed)
    this.#population = population
    this.#selectiveShare = SELECTIVE_ENTRIES / rows
    this.#lightUsers = Math.max(1, Math.floor((rows * LIGHT_SHARE) / LIGHT_ENTRIES))
  }

  // Light users take their turns in order, so each is the target of LIGHT_ENTRIES entries spread
  // over the table (the first one is the light user the reads ask for).
  #light(): string {
    return lightUser(this.#nextLight++ % this.#lightUsers)
  }

  #user(): string {
    const { users } = this.#population
    return users[Math.floor(this.#random() * users.length)] as string
  }

  next(): Input {
    const r = this.#random
    const p = this.#population
    const pick = r()
    const selective = HOT_SHARE + this.#selectiveShare
    const target =
      pick < HOT_SHARE
        ? p.hotUser
        : pick < selective
          ? p.selectiveUser
          : pick < selective + LIGHT_SHARE
            ? this.#light()
            : this.#user()
    const admin = r() < HOT_SHARE ? p.hotUser : this.#user()
    const action = DEFAULT_ACTIONS[Math.floor(r() * DEFAULT_ACTIONS.length)] as DefaultAction
    const ip = r() < 0.9 ? `10.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}` : null
    const agent = r() < 0.85 ? AGENTS[Math.floor(r() * AGENTS.length)] : undefined
    return {
      targetUserUuid: target,
      adminUserUuid: admin,
      action,
      ipAddress: ip,
      userAgent: agent,
      metadata: metadataFor(action, r),
    }
  }

  batch(count: number): Input[] {
    return Array.from({ length: count }, () => this.next())
  }
}
