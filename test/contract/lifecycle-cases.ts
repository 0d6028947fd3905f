import { describe, expect, test } from 'vitest'
import { StoreError, ValidationError } from '../../src/index.js'
import type { Harness } from './harness.js'
import { expectEmpty, userId } from './helpers.js'

/** Transactions through using(), concurrency, migrations, close and reopen. */
export function lifecycleCases(h: Harness): void {
  describe('using() the caller transaction', () => {
    test('an entry written through using() commits with the caller changes', async () => {
      const fixture = await h.open()
      const kinds = Object.entries(fixture.transactions)
      expect(kinds.length).toBeGreaterThanOrEqual(2)
      for (const [, begin] of kinds) {
        const tx = await begin()
        await tx.changePassword()
        const entry = await fixture.audit
          .using(tx.handle)
          .logPasswordChange({ targetUserUuid: userId(), adminUserUuid: userId() })
        expect(await fixture.audit.using(tx.handle).getLog(entry.uuid)).toEqual(entry)
        await tx.commit()
        expect(await fixture.audit.getLog(entry.uuid)).toEqual(entry)
      }
      expect(await fixture.committedPasswordChanges()).toBe(kinds.length)
      expect(await fixture.audit.countLogs()).toBe(kinds.length)
    })

    test('an entry written through using() rolls back with the caller changes', async () => {
      const fixture = await h.open()
      for (const [kind, begin] of Object.entries(fixture.transactions)) {
        const tx = await begin()
        await tx.changePassword()
        const log = fixture.audit.using(tx.handle)
        const entry = await log.logPasswordChange({ targetUserUuid: userId(), adminUserUuid: userId() })
        const batch = await log.createLogEntries([
          { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_locked' },
          { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_unlocked' },
        ])
        expect(batch, kind).toHaveLength(2)
        await tx.rollback()
        expect(await fixture.audit.findLog(entry.uuid), kind).toBeNull()
      }
      expect(await fixture.committedPasswordChanges()).toBe(0)
      await expectEmpty(fixture.audit)
    })

    test('a failed write inside the caller transaction rejects, and rolling back leaves nothing', async () => {
      const fixture = await h.open()
      await fixture.failInsertsOf('user_deleted')
      for (const [kind, begin] of Object.entries(fixture.transactions)) {
        const tx = await begin()
        const log = fixture.audit.using(tx.handle)
        const ok = { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_locked' as const }
        await tx.changePassword()
        await log.createLogEntry(ok)
        const failed = await log.createLogEntries([ok, { ...ok, action: 'user_deleted' }]).catch((e: unknown) => e)
        expect(failed, kind).toBeInstanceOf(StoreError)
        await tx.rollback()
      }
      await expectEmpty(fixture.audit)
      expect(await fixture.committedPasswordChanges()).toBe(0)
    })

    test('using() refuses what is not a connection or transaction', async () => {
      const { audit } = await h.open()
      for (const handle of [null, undefined, 42, 'postgres://x', {}, { query: 1 }]) {
        expect(() => audit.using(handle as never)).toThrow(ValidationError)
      }
    })
  })

  describe('concurrency and lifecycle', () => {
    test('200 concurrent writes are all stored, each once', async () => {
      const { audit } = await h.open()
      const target = userId()
      const writes = Array.from({ length: 200 }, (_, i) =>
        i % 10 === 0
          ? audit.createLogEntries([{ targetUserUuid: target, adminUserUuid: userId(), action: 'role_assigned' }])
          : audit.createLogEntry({
              targetUserUuid: target,
              adminUserUuid: userId(),
              action: 'role_assigned',
              metadata: { i },
            }),
      )
      const entries = (await Promise.all(writes)).flat()
      expect(new Set(entries.map((e) => e.uuid)).size).toBe(200)
      expect(await audit.countLogs({ targetUserUuid: target })).toBe(200)
      expect(new Set((await audit.listLogs({ limit: 500 })).map((e) => e.uuid))).toEqual(
        new Set(entries.map((e) => e.uuid)),
      )
    })

    test('migrate() is idempotent, also when run concurrently', async () => {
      const { audit } = await h.open()
      const entry = await audit.createLogEntry({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'user_confirmed',
      })
      await audit.migrate()
      await Promise.all([audit.migrate(), audit.migrate(), audit.migrate()])
      expect(await audit.getLog(entry.uuid)).toEqual(entry)
      expect(await audit.countLogs()).toBe(1)
    })

    test('close() waits for writes under way; later calls reject with StoreError; closing twice is fine', async () => {
      const fixture = await h.open()
      const { audit } = fixture
      const writes = Array.from({ length: 20 }, () =>
        audit.createLogEntry({ targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_created' }),
      )
      const closed = audit.close()
      const entries = await Promise.all(writes)
      await closed
      await audit.close()
      for (const call of [
        () => audit.createLogEntry({ targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_created' }),
        () => audit.listLogs(),
        () => audit.countLogs(),
        () => audit.getLog(entries[0]!.uuid),
      ]) {
        const error = await call().catch((e: unknown) => e)
        expect(error).toBeInstanceOf(StoreError)
        expect((error as StoreError).message).toMatch(/closed/)
      }
      if (fixture.reopen) {
        const again = await fixture.reopen()
        expect(await again.countLogs()).toBe(20)
      }
    })

    test.skipIf(h.name.includes(':memory:'))(
      'data survives close and reopen (skipped for :memory:, which does not outlive its connection)',
      async () => {
        const fixture = await h.open()
        const entries = await fixture.audit.createLogEntries(
          Array.from({ length: 5 }, () => ({
            targetUserUuid: userId(),
            adminUserUuid: userId(),
            action: 'user_created' as const,
          })),
        )
        const single = await fixture.audit.logPasswordChange({
          targetUserUuid: userId(),
          adminUserUuid: userId(),
          metadata: { a: 1 },
        })
        const again = await fixture.reopen!()
        // close() sealed them: the same entries, now with their seq.
        for (const e of [...entries, single])
          expect(await again.getLog(e.uuid)).toEqual({ ...e, seq: expect.any(Number) })
        expect(await again.countLogs()).toBe(6)
        const more = await again.createLogEntry({
          targetUserUuid: userId(),
          adminUserUuid: userId(),
          action: 'user_deleted',
        })
        expect((await again.listLogs({ limit: 1 }))[0]).toEqual(more)
      },
    )
  })
}
