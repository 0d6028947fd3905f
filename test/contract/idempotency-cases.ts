import { describe, expect, test } from 'vitest'
import { ConflictError, type DefaultAction, type Entry, type LogEntryInput, StoreError } from '../../src/index.js'
import type { Harness } from './harness.js'
import { expectEmpty, expectInvalid, HOSTILE_STRINGS, userId } from './helpers.js'

const entry = (action: 'user_locked' | 'user_deleted' = 'user_locked'): LogEntryInput<DefaultAction> => ({
  targetUserUuid: userId(),
  adminUserUuid: userId(),
  action,
  userAgent: HOSTILE_STRINGS[0] as string,
  metadata: { reason: 'chargeback' },
})

const uuids = (entries: readonly Entry<string>[]) => entries.map((e) => e.uuid)
const withoutSeq = (entries: readonly Entry<string>[]) => entries.map(({ seq: _, ...rest }) => rest)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** createLogEntriesOnce: one write per idempotency key, its record committed with its entries. */
export function idempotencyCases(h: Harness): void {
  describe('idempotent writes', () => {
    test('the first call writes; a retry with the same key and entries replays it and writes nothing', async () => {
      const { audit } = await h.open()
      const batch = [entry(), entry('user_deleted')]
      const first = await audit.createLogEntriesOnce('req-1', batch)
      expect(first.replayed).toBe(false)
      expect(first.entries).toHaveLength(2)
      const again = await audit.createLogEntriesOnce('req-1', batch)
      expect(again.replayed).toBe(true)
      expect(withoutSeq(again.entries)).toEqual(withoutSeq(first.entries))
      expect(await audit.countLogs()).toBe(2)
      // Another key is another write.
      const other = await audit.createLogEntriesOnce('req-2', batch)
      expect(other.replayed).toBe(false)
      expect(uuids(other.entries)).not.toEqual(uuids(first.entries))
      expect(await audit.countLogs()).toBe(4)
    })

    test('the same key with other entries is a ConflictError and writes nothing', async () => {
      const { audit } = await h.open()
      const first = await audit.createLogEntriesOnce('k', [entry()])
      for (const other of [[entry()], [entry(), entry()], []]) {
        const error = await audit.createLogEntriesOnce('k', other).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ConflictError)
        expect(error).toMatchObject({ code: 'idempotency_conflict', idempotencyKey: 'k' })
        expect((error as ConflictError).firstUsedAt.getTime()).toBeLessThanOrEqual(Date.now())
      }
      // A fingerprint of the caller's decides instead of the entries.
      const byFingerprint = await audit.createLogEntriesOnce('f', [entry()], { fingerprint: 'POST /x abc' })
      const replay = await audit.createLogEntriesOnce('f', [entry()], { fingerprint: 'POST /x abc' })
      expect(replay.replayed).toBe(true)
      expect(uuids(replay.entries)).toEqual(uuids(byFingerprint.entries))
      await expect(audit.createLogEntriesOnce('f', [entry()], { fingerprint: 'POST /y abc' })).rejects.toThrow(
        ConflictError,
      )
      expect(await audit.countLogs()).toBe(first.entries.length + 1)
    })

    test('concurrent calls with one key write exactly once, and all answer with the same entries', async () => {
      const { audit } = await h.open()
      const batch = [entry(), entry()]
      const results = await Promise.all(Array.from({ length: 12 }, () => audit.createLogEntriesOnce('race', batch)))
      expect(results.filter((r) => !r.replayed)).toHaveLength(1)
      const written = uuids(results.find((r) => !r.replayed)?.entries ?? [])
      for (const r of results) expect(uuids(r.entries)).toEqual(written)
      expect(await audit.countLogs()).toBe(2)
    })

    test('a write the database refuses leaves no record: the key is still free', async () => {
      const fixture = await h.open()
      await fixture.failInsertsOf('user_deleted')
      const refused = await fixture.audit
        .createLogEntriesOnce('atomic', [entry(), entry('user_deleted')])
        .catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(StoreError)
      await expectEmpty(fixture.audit)
      // Had the record been kept, this would be a conflict (other entries) or a replay of nothing.
      const retried = await fixture.audit.createLogEntriesOnce('atomic', [entry()])
      expect(retried.replayed).toBe(false)
      expect(await fixture.audit.countLogs()).toBe(1)
    })

    test('inside the caller’s transaction: a rollback takes the entries and the record with it', async () => {
      const fixture = await h.open()
      for (const [i, [kind, begin]] of Object.entries(fixture.transactions).entries()) {
        const key = `tx-${i}`
        const tx = await begin()
        const inTx = await fixture.audit.using(tx.handle).createLogEntriesOnce(key, [entry()])
        expect(inTx.replayed, kind).toBe(false)
        await tx.rollback()
        const after = await fixture.audit.createLogEntriesOnce(key, [entry()])
        expect(after.replayed, kind).toBe(false)
        const committing = await begin()
        const committed = await fixture.audit.using(committing.handle).createLogEntriesOnce(`${key}-c`, [entry()])
        await committing.commit()
        const replay = await fixture.audit
          .createLogEntriesOnce(`${key}-c`, [entry()], {
            fingerprint: 'another write',
          })
          .catch((e: unknown) => e)
        expect(replay, kind).toBeInstanceOf(ConflictError)
        expect(await fixture.audit.findLog(committed.entries[0]?.uuid as string), kind).not.toBeNull()
      }
    })

    test('a crash after the commit, before the answer: the retry replays', async (context) => {
      const fixture = await h.open()
      if (fixture.reopen === undefined) return context.skip('the data does not outlive the log here')
      const batch = [entry()]
      const lost = await fixture.audit.createLogEntriesOnce('crash', batch)
      const reopened = await fixture.reopen()
      const retried = await reopened.createLogEntriesOnce('crash', batch)
      expect(retried.replayed).toBe(true)
      expect(uuids(retried.entries)).toEqual(uuids(lost.entries))
      expect(await reopened.countLogs()).toBe(1)
    })

    test('after its window the key is free again', async () => {
      const { audit } = await h.open()
      const first = await audit.createLogEntriesOnce('short', [entry()], { windowMs: 20 })
      await sleep(40)
      // The new record gets a long window, so that a loaded machine cannot let it lapse too.
      const later = await audit.createLogEntriesOnce('short', [entry(), entry()], { windowMs: 60_000 })
      expect(later.replayed).toBe(false)
      expect(uuids(later.entries)).not.toContain(first.entries[0]?.uuid)
      expect(await audit.countLogs()).toBe(3)
      // Within the window the new record holds.
      expect(
        await audit.createLogEntriesOnce('short', [entry(), entry()], { windowMs: 60_000 }).catch((e) => e),
      ).toBeInstanceOf(ConflictError)
    })

    test('bad keys, options and entries are refused before anything is written or claimed', async () => {
      const { audit } = await h.open()
      for (const key of ['', 'has space', 'x'.repeat(256), 'naïve', 'tab\t', 42, null]) {
        await expectInvalid(audit.createLogEntriesOnce(key as string, [entry()]), ['idempotencyKey'])
      }
      await expectInvalid(audit.createLogEntriesOnce('o', [entry()], { windowMs: 0 }), ['windowMs'])
      await expectInvalid(audit.createLogEntriesOnce('o', [entry()], { ttl: 5 } as never), ['ttl'])
      await expectInvalid(audit.createLogEntriesOnce('o', [entry(), { ...entry(), action: 'nope' as DefaultAction }]), [
        '[1].action',
      ])
      await expectEmpty(audit)
      expect((await audit.createLogEntriesOnce('o', [entry()])).replayed).toBe(false)
      expect((await audit.createLogEntriesOnce('x'.repeat(255), [entry()])).replayed).toBe(false)
    })
  })
}
