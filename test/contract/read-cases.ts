import { afterEach, describe, expect, test, vi } from 'vitest'
import type { AuditLog, DefaultAction, Entry, LogEntryInput } from '../../src/index.js'
import type { Harness } from './harness.js'
import { expectInvalid, expectNewestFirst, HOSTILE_STRINGS, userId } from './helpers.js'

type Action = DefaultAction

/** Writes `n` entries one by one (so their times differ a little), returned oldest first. */
async function writeMany(audit: AuditLog, n: number, make: (i: number) => Partial<LogEntryInput<Action>> = () => ({})) {
  const out: Entry[] = []
  for (let i = 0; i < n; i++) {
    out.push(
      await audit.createLogEntry({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'user_updated',
        ...make(i),
      }),
    )
  }
  return out
}

/** Writes `n` entries that all carry the same millisecond. */
async function writeInOneMillisecond(audit: AuditLog, n: number): Promise<Entry[]> {
  const frozen = Date.now() + 60_000
  const spy = vi.spyOn(Date, 'now').mockReturnValue(frozen)
  try {
    const inputs = Array.from({ length: n }, () => ({
      targetUserUuid: userId(),
      adminUserUuid: userId(),
      action: 'user_created' as Action,
    }))
    const entries = [
      ...(await audit.createLogEntries(inputs.slice(0, n / 2))),
      ...(await writeMany(audit, n / 2, () => ({ action: 'user_created' }))),
    ]
    expect(new Set(entries.map((e) => e.insertedAt.getTime())).size).toBe(1)
    return entries
  } finally {
    spy.mockRestore()
  }
}

/** Reads, filters, counts and pages. */
export function readCases(h: Harness): void {
  describe('reads', () => {
    afterEach(() => vi.restoreAllMocks())

    test('listLogs is newest first, 100 by default, and honours limit and offset', async () => {
      const { audit } = await h.open()
      const written = await audit.createLogEntries(
        Array.from({ length: 105 }, () => ({
          targetUserUuid: userId(),
          adminUserUuid: userId(),
          action: 'user_created' as Action,
        })),
      )
      const all = await audit.listLogs()
      expect(all).toHaveLength(100)
      expectNewestFirst(all)
      const expected = [...written].sort((a, b) => (a.uuid < b.uuid ? 1 : -1))
      expect(all.map((e) => e.uuid)).toEqual(expected.slice(0, 100).map((e) => e.uuid))
      expect((await audit.listLogs({ limit: 10, offset: 100 })).map((e) => e.uuid)).toEqual(
        expected.slice(100).map((e) => e.uuid),
      )
      expect(await audit.listLogs({ limit: 10_000 })).toHaveLength(105)
      expect(await audit.listLogs({ offset: 105 })).toEqual([])
    })

    test('limit, offset and paging options are checked', async () => {
      const { audit } = await h.open()
      for (const limit of [0, -1, 10_001, 1.5, '10', null, Number.NaN]) {
        await expectInvalid(audit.listLogs({ limit: limit as never }), ['limit'])
        await expectInvalid(audit.pageLogs({ limit: limit as never }), ['limit'])
        await expectInvalid(audit.listLogsByAction('user_created', { limit: limit as never }), ['limit'])
      }
      for (const offset of [-1, 0.5, '0', null]) {
        await expectInvalid(audit.listLogs({ offset: offset as never }), ['offset'])
        await expectInvalid(audit.listLogsForUser(userId(), { offset: offset as never }), ['offset'])
      }
      await expectInvalid(audit.countLogs({ limit: 5 } as never), ['limit'])
      await expectInvalid(audit.countLogs({ offset: 5 } as never), ['offset'])
      await expectInvalid(audit.pageLogs({ offset: 5 } as never), ['offset'])
      await expectInvalid(audit.listLogsByAction('user_created', { action: 'user_created' } as never), ['action'])
      await expectInvalid(audit.listLogs(null as never), ['input'])
    })

    test('filters by action, target, admin and user, alone and combined', async () => {
      const { audit } = await h.open()
      const [alice, bob, carol] = [userId(), userId(), userId()]
      const e1 = await audit.createLogEntry({ targetUserUuid: alice, adminUserUuid: bob, action: 'user_locked' })
      const e2 = await audit.createLogEntry({ targetUserUuid: bob, adminUserUuid: alice, action: 'user_unlocked' })
      const e3 = await audit.createLogEntry({ targetUserUuid: alice, adminUserUuid: alice, action: 'role_assigned' })
      const e4 = await audit.createLogEntry({ targetUserUuid: carol, adminUserUuid: bob, action: 'user_locked' })
      const uuids = (es: Entry[]) => es.map((e) => e.uuid)
      expect(uuids(await audit.listLogs({ action: 'user_locked' }))).toEqual([e4.uuid, e1.uuid])
      expect(uuids(await audit.listLogsByAction('user_locked'))).toEqual([e4.uuid, e1.uuid])
      expect(uuids(await audit.listLogs({ targetUserUuid: alice }))).toEqual([e3.uuid, e1.uuid])
      expect(uuids(await audit.listLogs({ adminUserUuid: bob }))).toEqual([e4.uuid, e1.uuid])
      expect(uuids(await audit.listLogs({ adminUserUuid: bob, action: 'user_locked', targetUserUuid: carol }))).toEqual(
        [e4.uuid],
      )
      expect(uuids(await audit.listLogsForUser(alice))).toEqual([e3.uuid, e2.uuid, e1.uuid])
      expect(uuids(await audit.listLogsForUser(alice, { limit: 1, offset: 1 }))).toEqual([e2.uuid])
      expect(uuids(await audit.listLogs({ userUuid: bob, action: 'user_locked' }))).toEqual([e4.uuid, e1.uuid])
      expect(await audit.countLogs({ userUuid: alice })).toBe(3)
      expect(await audit.countLogs({ userUuid: bob })).toBe(3)
      expect(await audit.countLogs({ action: 'user_locked' })).toBe(2)
      expect(await audit.countLogs({ targetUserUuid: alice, adminUserUuid: alice })).toBe(1)
      expect(await audit.countLogs()).toBe(4)
      expect(await audit.listLogsForUser(userId())).toEqual([])
    })

    test('an action filter may list several actions: every read path takes the list', async () => {
      const { audit } = await h.open()
      const [alice, bob] = [userId(), userId()]
      const actions: Action[] = ['user_locked', 'user_unlocked', 'role_assigned', 'user_locked', 'user_deleted']
      const written = await writeMany(audit, 10, (i) => ({
        action: actions[i % actions.length] as Action,
        ...(i % 3 === 0 ? { targetUserUuid: alice } : {}),
        ...(i % 4 === 0 ? { adminUserUuid: alice } : { adminUserUuid: bob }),
      }))
      const newestFirst = [...written].reverse()
      const locks = ['user_locked', 'role_assigned'] as const
      const expected = newestFirst.filter((e) => (locks as readonly string[]).includes(e.action))
      const uuids = (es: readonly Entry[]) => es.map((e) => e.uuid)
      expect(uuids(await audit.listLogs({ action: [...locks] }))).toEqual(uuids(expected))
      expect(await audit.countLogs({ action: [...locks] })).toBe(expected.length)
      expect(uuids(await audit.listLogs({ action: ['user_locked', 'user_locked'] }))).toEqual(
        uuids(newestFirst.filter((e) => e.action === 'user_locked')),
      )
      // Offsets and cursor pages over the merged branches neither skip nor repeat.
      expect(uuids(await audit.listLogs({ action: [...locks], limit: 2, offset: 2 }))).toEqual(
        uuids(expected.slice(2, 4)),
      )
      const paged: Entry[] = []
      let cursor: string | undefined
      do {
        const page = await audit.pageLogs({ action: [...locks], limit: 2, ...(cursor ? { cursor } : {}) })
        paged.push(...page.entries)
        cursor = page.nextCursor ?? undefined
      } while (cursor !== undefined)
      expect(uuids(paged)).toEqual(uuids(expected))
      const iterated: Entry[] = []
      for await (const e of audit.iterateLogs({ action: [...locks], batchSize: 3 })) iterated.push(e)
      expect(uuids(iterated)).toEqual(uuids(expected))
      // With a user (target or admin) too: the branches multiply and stay disjoint.
      const alices = expected.filter((e) => e.targetUserUuid === alice || e.adminUserUuid === alice)
      expect(uuids(await audit.listLogs({ action: [...locks], userUuid: alice }))).toEqual(uuids(alices))
      expect(await audit.countLogs({ action: [...locks], userUuid: alice })).toBe(alices.length)
      await expectInvalid(audit.listLogs({ action: [] }), ['action'])
      await expectInvalid(audit.listLogs({ action: ['user_locked', 'nope' as Action] }), ['action'])
      await expectInvalid(audit.countLogs({ action: Array(51).fill('user_locked') }), ['action'])
    })

    test('fromDate and toDate are inclusive and take a Date or an ISO-8601 string', async () => {
      const { audit } = await h.open()
      // Six entries at known times, 10 ms apart, so that every boundary is exact.
      const t0 = Math.ceil((Date.now() + 120_000) / 1000) * 1000
      let i = 0
      vi.spyOn(Date, 'now').mockImplementation(() => t0 + 10 * i++)
      const written = await writeMany(audit, 6)
      vi.restoreAllMocks()
      expect(written.map((e) => e.insertedAt.getTime() - t0)).toEqual([0, 10, 20, 30, 40, 50])
      const at = (k: number) => new Date(t0 + 10 * k)
      expect(await audit.countLogs({ fromDate: at(1), toDate: at(4) })).toBe(4)
      expect(await audit.countLogs({ fromDate: at(1).toISOString(), toDate: at(4).toISOString() })).toBe(4)
      expect(await audit.countLogs({ fromDate: new Date(t0 + 11), toDate: new Date(t0 + 39) })).toBe(2)
      expect(await audit.countLogs({ fromDate: at(2).toISOString().replace('Z', '+00:00') })).toBe(4)
      const twoHoursAhead = new Date(t0 + 2 * 3600_000 + 30).toISOString().replace('Z', '+02:00')
      expect(await audit.countLogs({ toDate: twoHoursAhead })).toBe(4)
      expect((await audit.listLogs({ fromDate: at(1), toDate: at(4) })).map((e) => e.uuid)).toEqual(
        written
          .slice(1, 5)
          .map((e) => e.uuid)
          .reverse(),
      )
      expect(await audit.countLogs({ fromDate: at(3), toDate: at(3) })).toBe(1)
      expect(await audit.countLogs({ toDate: '2000-01-01' })).toBe(0)
      expect(await audit.countLogs({ fromDate: '2000-01-01' })).toBe(6)
      expect(await audit.countLogs({ fromDate: new Date(t0).toISOString().slice(0, 10) })).toBe(6)
    })

    test('bad filters are ValidationErrors, never silently ignored', async () => {
      const { audit } = await h.open()
      await writeMany(audit, 2)
      const bad: [Record<string, unknown>, string[]][] = [
        [{ action: null }, ['action']],
        [{ action: 'user_vaporized' }, ['action']],
        [{ targetUserUuid: 123 }, ['targetUserUuid']],
        [{ targetUserUuid: null }, ['targetUserUuid']],
        [{ adminUserUuid: 'not-a-uuid' }, ['adminUserUuid']],
        [{ userUuid: {} }, ['userUuid']],
        [{ fromDate: 'yesterday' }, ['fromDate']],
        [{ fromDate: '2026-13-01' }, ['fromDate']],
        [{ toDate: '2026-11-25T10:00:00' }, ['toDate']],
        [{ toDate: new Date('nope') }, ['toDate']],
        [{ toDate: 1764064800000 }, ['toDate']],
        [{ fromDate: '2026-02-01', toDate: '2026-01-01' }, ['fromDate']],
        [{ actoin: 'user_locked' }, ['actoin']],
        [{ target_user_uuid: userId() }, ['target_user_uuid']],
      ]
      for (const [filters, fields] of bad) {
        await expectInvalid(audit.listLogs(filters as never), fields)
        await expectInvalid(audit.countLogs(filters as never), fields)
        await expectInvalid(audit.pageLogs(filters as never), fields)
        expect(() => audit.iterateLogs(filters as never)).toThrow(/Invalid input/)
      }
      await expectInvalid(audit.listLogsForUser(42 as never), ['userUuid'])
      await expectInvalid(audit.listLogsForUser('nope'), ['userUuid'])
      await expectInvalid(audit.listLogsByAction(undefined as never), ['action'])
    })

    test('offset pages over entries sharing one millisecond neither skip nor repeat', async () => {
      const { audit } = await h.open()
      const written = await writeInOneMillisecond(audit, 300)
      const seen: string[] = []
      for (let offset = 0; offset < 300; offset += 7) {
        const page = await audit.listLogs({ limit: 7, offset })
        expectNewestFirst(page)
        seen.push(...page.map((e) => e.uuid))
      }
      expect(seen).toHaveLength(300)
      expect(new Set(seen)).toEqual(new Set(written.map((e) => e.uuid)))
      expect(seen).toEqual([...seen].sort().reverse())
    })

    test('cursor pages over entries sharing one millisecond neither skip nor repeat', async () => {
      const { audit } = await h.open()
      const written = await writeInOneMillisecond(audit, 300)
      const seen: string[] = []
      let cursor: string | undefined
      let pages = 0
      do {
        const page = await audit.pageLogs({ limit: 7, cursor })
        expectNewestFirst(page.entries)
        seen.push(...page.entries.map((e) => e.uuid))
        cursor = page.nextCursor ?? undefined
        pages++
      } while (cursor)
      expect(pages).toBe(Math.ceil(300 / 7))
      expect(seen).toEqual([...written.map((e) => e.uuid)].sort().reverse())
    })

    test('cursor pages follow filters, end with a null cursor and are not shifted by new writes', async () => {
      const { audit } = await h.open()
      const user = userId()
      await writeMany(audit, 12, (i) => (i % 2 === 0 ? { targetUserUuid: user } : { adminUserUuid: user }))
      await writeMany(audit, 5)
      const first = await audit.pageLogs({ userUuid: user, limit: 5 })
      expect(first.entries).toHaveLength(5)
      await writeMany(audit, 3, () => ({ targetUserUuid: user }))
      const second = await audit.pageLogs({ userUuid: user, limit: 5, cursor: first.nextCursor! })
      const third = await audit.pageLogs({ userUuid: user, limit: 5, cursor: second.nextCursor! })
      expect(third.entries).toHaveLength(2)
      expect(third.nextCursor).toBeNull()
      const ids = [...first.entries, ...second.entries, ...third.entries].map((e) => e.uuid)
      expect(new Set(ids).size).toBe(12)
      expectNewestFirst([...first.entries, ...second.entries, ...third.entries])
      const exact = await audit.pageLogs({ userUuid: user, limit: 15 })
      expect(exact.entries).toHaveLength(15)
      expect(exact.nextCursor).toBeNull()
    })

    test('a malformed cursor is a ValidationError', async () => {
      const { audit } = await h.open()
      const forged = Buffer.from("1:0:'; DROP TABLE x; --").toString('base64url')
      for (const cursor of [
        '',
        'abc',
        '!!!',
        forged,
        Buffer.from('2:1:0190d5f2-0000-7000-8000-000000000000').toString('base64url'),
        42,
        null,
      ]) {
        await expectInvalid(audit.pageLogs({ cursor: cursor as never }), ['cursor'])
      }
    })

    test('iterateLogs yields every match newest first, batch by batch', async () => {
      const { audit } = await h.open()
      const target = userId()
      const written = await audit.createLogEntries(
        Array.from({ length: 23 }, (_, i) => ({
          targetUserUuid: i < 20 ? target : userId(),
          adminUserUuid: userId(),
          action: 'user_created' as Action,
        })),
      )
      const seen: Entry[] = []
      for await (const entry of audit.iterateLogs({ targetUserUuid: target, batchSize: 3 })) seen.push(entry)
      expect(seen).toHaveLength(20)
      expectNewestFirst(seen)
      expect(new Set(seen.map((e) => e.uuid))).toEqual(new Set(written.slice(0, 20).map((e) => e.uuid)))
      let all = 0
      for await (const _ of audit.iterateLogs()) all++
      expect(all).toBe(23)
      expect(() => audit.iterateLogs({ batchSize: 0 })).toThrow(/batchSize/)
    })

    test('filter values that look like SQL match only themselves', async () => {
      const { audit } = await h.open({ userIdFormat: 'string' })
      await audit.createLogEntry({ targetUserUuid: 'plain', adminUserUuid: 'plain', action: 'user_updated' })
      for (const s of HOSTILE_STRINGS) {
        expect(await audit.countLogs({ targetUserUuid: s })).toBe(0)
        expect(await audit.listLogsForUser(s)).toEqual([])
      }
      expect(await audit.countLogs()).toBe(1)
    })
  })
}
