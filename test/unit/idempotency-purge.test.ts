import Database from 'better-sqlite3'
import { expect, test } from 'vitest'
import { createAuditLog } from '../../src/index.js'

const entry = () => ({
  targetUserUuid: crypto.randomUUID(),
  adminUserUuid: crypto.randomUUID(),
  action: 'user_locked' as const,
})

test('expired idempotency records are removed by a later write; live ones stay', async () => {
  const db = new Database(':memory:')
  const keys = () =>
    db
      .prepare('SELECT idempotency_key AS k FROM auditkit_entries_idempotency ORDER BY k')
      .all()
      .map((r) => (r as { k: string }).k)
  const first = await createAuditLog({ database: db, sealIntervalMs: 0 })
  await first.createLogEntriesOnce('expires', [entry()], { windowMs: 10 })
  await first.createLogEntriesOnce('lives', [entry()])
  expect(keys()).toEqual(['expires', 'lives'])
  await new Promise((resolve) => setTimeout(resolve, 30))
  // A log purges on its first idempotent write, then at most every ten minutes.
  const second = await createAuditLog({ database: db, sealIntervalMs: 0 })
  await second.createLogEntriesOnce('new', [entry()])
  expect(keys()).toEqual(['lives', 'new'])
  expect(await second.countLogs()).toBe(3)
  await first.close()
  await second.close()
  db.close()
})
