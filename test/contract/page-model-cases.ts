import { afterEach, describe, expect, test, vi } from 'vitest'
import type { DefaultAction, Entry, LogEntryInput, LogFilters } from '../../src/index.js'
import { seededRandom } from '../verify/random-entry.js'
import type { Harness } from './harness.js'
import { userId } from './helpers.js'

type Action = DefaultAction
const ACTIONS: readonly Action[] = ['user_created', 'user_deleted', 'role_assigned', 'user_locked']

/** Newest first, ties in time by uuid descending: the order every list promises. */
function newestFirst(a: Entry, b: Entry): number {
  const byTime = b.insertedAt.getTime() - a.insertedAt.getTime()
  return byTime !== 0 ? byTime : a.uuid < b.uuid ? 1 : a.uuid > b.uuid ? -1 : 0
}

/** What the filters select, by the documented meaning of each, from every entry written. */
function matches(e: Entry, f: LogFilters<Action>): boolean {
  const actions = f.action === undefined ? undefined : ([] as Action[]).concat(f.action)
  if (actions !== undefined && !actions.includes(e.action as Action)) return false
  if (f.targetUserUuid !== undefined && e.targetUserUuid !== f.targetUserUuid) return false
  if (f.adminUserUuid !== undefined && e.adminUserUuid !== f.adminUserUuid) return false
  if (f.userUuid !== undefined && e.targetUserUuid !== f.userUuid && e.adminUserUuid !== f.userUuid) return false
  if (f.fromDate !== undefined && e.insertedAt < new Date(f.fromDate)) return false
  if (f.toDate !== undefined && e.insertedAt > new Date(f.toDate)) return false
  return true
}

const brief = (entries: readonly Entry[]) => entries.map((e) => `${e.uuid}#${e.seq}`)

/**
 * Pages against a model: every combination of filters (several actions, a user in both roles,
 * dates), limits and offsets gives exactly the entries the filters select, in order, each with the
 * seq a plain listing gives it. Each engine answers some of these with branches merged (one per
 * action and role), some with one scan; they must agree with each other and with the model.
 */
export function pageModelCases(h: Harness): void {
  describe('pages against a model', () => {
    afterEach(() => vi.restoreAllMocks())

    test('random filters, limits and offsets give the model’s page, its count, and cursor pages that add up', async () => {
      const { audit } = await h.open()
      const random = seededRandom(20261129)
      const users = Array.from({ length: 4 }, () => userId())
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
      const input = (): LogEntryInput<Action> => {
        const target = pick(users)
        // Some entries have the same user in both roles: the admin branch must not count them again.
        return { targetUserUuid: target, adminUserUuid: random() < 0.15 ? target : pick(users), action: pick(ACTIONS) }
      }
      // Three batches, each within one of two milliseconds (ties in time are ordered by uuid); the
      // first two are sealed, the third is not (its entries have no seq yet).
      const start = Date.now() + 60_000
      const write = async (batch: number) => {
        for (const half of [0, 1]) {
          vi.spyOn(Date, 'now').mockReturnValue(start + batch * 10 + half)
          await audit.createLogEntries(Array.from({ length: 30 }, input))
          vi.restoreAllMocks()
        }
      }
      await write(0)
      await write(1)
      await audit.seal()
      await write(2)

      const all = await audit.listLogs({ limit: 1000 })
      expect(all).toHaveLength(180)
      expect(brief(all)).toEqual(brief([...all].sort(newestFirst)))
      expect(all.filter((e) => e.seq === null)).toHaveLength(60)
      expect(new Set(all.map((e) => e.seq)).size).toBe(121) // 0..119 and null

      const times = [...new Set(all.map((e) => e.insertedAt.getTime()))].sort((a, b) => a - b)
      const cases: LogFilters<Action>[] = []
      for (let i = 0; i < 60; i++) {
        const f: LogFilters<Action> = {}
        const r = random()
        if (r < 0.3) f.action = pick(ACTIONS)
        else if (r < 0.6) f.action = ACTIONS.filter(() => random() < 0.6)
        if ((f.action as Action[] | undefined)?.length === 0) f.action = ['user_locked', 'user_created']
        const who = random()
        if (who < 0.5) f.userUuid = pick(users)
        else if (who < 0.65) f.targetUserUuid = pick(users)
        else if (who < 0.8) f.adminUserUuid = pick(users)
        // A range (the API refuses fromDate after toDate), or one end of it.
        const [from, to] = [pick(times), pick(times)].sort((a, b) => a - b) as [number, number]
        if (random() < 0.3) f.fromDate = new Date(from)
        if (random() < 0.3) f.toDate = new Date(to).toISOString()
        cases.push(f)
      }
      for (const f of cases) {
        const expected = all.filter((e) => matches(e, f))
        const limit = 1 + Math.floor(random() * 25)
        const offset = Math.floor(random() * Math.min(40, expected.length + 2))
        const page = await audit.listLogs({ ...f, limit, offset })
        expect(brief(page), JSON.stringify({ f, limit, offset })).toEqual(brief(expected.slice(offset, offset + limit)))
        expect(await audit.countLogs(f), JSON.stringify(f)).toBe(expected.length)

        const paged: Entry[] = []
        let next = await audit.pageLogs({ ...f, limit: 7 })
        paged.push(...next.entries)
        while (next.nextCursor !== null) {
          next = await audit.pageLogs({ ...f, limit: 7, cursor: next.nextCursor })
          paged.push(...next.entries)
        }
        expect(brief(paged), JSON.stringify(f)).toEqual(brief(expected))
      }
      // listLogsForUser is the userUuid filter.
      for (const user of users) {
        const expected = all.filter((e) => e.targetUserUuid === user || e.adminUserUuid === user)
        expect(brief(await audit.listLogsForUser(user, { limit: 1000 }))).toEqual(brief(expected))
        expect(brief(await audit.listLogsForUser(user, { limit: 5, offset: 3 }))).toEqual(brief(expected.slice(3, 8)))
      }
    })

    test('the most actions a filter takes (50), with a user in both roles: 100 branches in one read', async () => {
      const actions = Array.from({ length: 50 }, (_, i) => `act_${i}`)
      const { audit } = await h.open({ actions })
      const [user, other] = [userId(), userId()]
      await audit.createLogEntries(
        actions.map((action, i) => ({
          action,
          targetUserUuid: i % 2 === 1 ? user : other,
          adminUserUuid: i % 3 === 0 ? user : other,
        })),
      )
      await audit.seal()
      const all = await audit.listLogs({ limit: 1000 })
      const expected = all.filter((e) => e.targetUserUuid === user || e.adminUserUuid === user)
      expect(expected).toHaveLength(34) // 25 as target, 17 as admin, 8 of them both
      const f = { action: actions, userUuid: user }
      expect(brief(await audit.listLogs({ ...f, limit: 1000 }))).toEqual(brief(expected))
      expect(brief(await audit.listLogs({ ...f, limit: 10, offset: 5 }))).toEqual(brief(expected.slice(5, 15)))
      expect(await audit.countLogs(f)).toBe(34)
    })
  })
}
