import type Database from 'better-sqlite3'
import type { Kysely, Transaction } from 'kysely'
import type { Pool, PoolClient } from 'pg'
import { describe, expectTypeOf, test } from 'vitest'
import { type AuditLog, createAuditLog, type DefaultAction, type Entry } from '../src/index.js'

const target = '019abcde-0000-7000-8000-000000000001'
const admin = '019abcde-0000-7000-8000-000000000002'

describe('typed actions', () => {
  test('custom actions narrow every method', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:', actions: ['a', 'b'] as const })
    expectTypeOf(audit).toEqualTypeOf<AuditLog<'a' | 'b'>>()
    await audit.createLogEntry({ targetUserUuid: target, adminUserUuid: admin, action: 'a' })
    // @ts-expect-error 'c' is not one of the log's actions
    await audit.createLogEntry({ targetUserUuid: target, adminUserUuid: admin, action: 'c' })
    // @ts-expect-error 'c' is not one of the log's actions
    await audit.createLogEntries([{ targetUserUuid: target, adminUserUuid: admin, action: 'c' }])
    // @ts-expect-error 'c' is not one of the log's actions
    await audit.logPasswordChange({ targetUserUuid: target, adminUserUuid: admin, action: 'c' })
    // @ts-expect-error 'c' is not one of the log's actions
    await audit.listLogsByAction('c')
    // @ts-expect-error 'c' is not one of the log's actions
    await audit.listLogs({ action: 'c' })
    // @ts-expect-error 'c' is not one of the log's actions
    await audit.countLogs({ action: 'c' })
    // @ts-expect-error 'c' is not one of the log's actions
    await audit.pageLogs({ action: 'c' })
    // @ts-expect-error 'c' is not one of the log's actions
    audit.iterateLogs({ action: 'c' })
    // @ts-expect-error 'c' is not one of the log's actions
    await audit.using({}).createLogEntry({ targetUserUuid: target, adminUserUuid: admin, action: 'c' })
    expectTypeOf(await audit.getLog(target)).toEqualTypeOf<Entry<'a' | 'b'>>()
    expectTypeOf((await audit.listLogs())[0]!.action).toEqualTypeOf<'a' | 'b'>()
  })

  test('without as const the actions still narrow', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:', actions: ['x', 'y'] })
    expectTypeOf(audit).toEqualTypeOf<AuditLog<'x' | 'y'>>()
  })

  test('the default is the seed nine', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:' })
    expectTypeOf(audit).toEqualTypeOf<AuditLog<DefaultAction>>()
    // @ts-expect-error not a default action
    await audit.createLogEntry({ targetUserUuid: target, adminUserUuid: admin, action: 'invoice_voided' })
  })

  test('unknown keys are refused by the types too', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:' })
    // @ts-expect-error typo in a filter
    await audit.listLogs({ actoin: 'user_created' })
    // @ts-expect-error countLogs takes no limit
    await audit.countLogs({ limit: 5 })
    // @ts-expect-error not an option
    await createAuditLog({ database: 'sqlite::memory:', tableName: 'x' })
  })
})

interface UsersDb {
  users: { id: string; password_hash: string }
}
declare const sqliteDatabase: Database.Database
declare const poolClient: PoolClient
declare const pool: Pool
declare const kysely: Kysely<UsersDb>
declare const transaction: Transaction<UsersDb>

describe('using() takes a database handle', () => {
  test('a better-sqlite3 Database, a pg PoolClient or Pool, a Kysely instance or transaction', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:', actions: ['a', 'b'] as const })
    expectTypeOf(audit.using(sqliteDatabase)).toEqualTypeOf<AuditLog<'a' | 'b'>>()
    expectTypeOf(audit.using(poolClient)).toEqualTypeOf<AuditLog<'a' | 'b'>>()
    expectTypeOf(audit.using(pool)).toEqualTypeOf<AuditLog<'a' | 'b'>>()
    expectTypeOf(audit.using(kysely)).toEqualTypeOf<AuditLog<'a' | 'b'>>()
    expectTypeOf(audit.using(transaction)).toEqualTypeOf<AuditLog<'a' | 'b'>>()
  })

  test('anything else is a type error', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:' })
    // @ts-expect-error a number is not a database handle
    audit.using(123)
    // @ts-expect-error a string (a URL) is not a database handle
    audit.using('x')
    // @ts-expect-error an empty object is not a database handle
    audit.using({})
    // @ts-expect-error null is not a database handle
    audit.using(null)
  })
})
