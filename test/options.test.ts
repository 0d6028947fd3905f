import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { describe, expect, test } from 'vitest'
import { createAuditLog, DEFAULT_ACTIONS, ValidationError } from '../src/index.js'

async function invalid(options: unknown, field: string): Promise<ValidationError> {
  const error = await createAuditLog(options as never).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ValidationError)
  expect((error as ValidationError).fields).toContain(field)
  return error as ValidationError
}

describe('createAuditLog options', () => {
  test('DEFAULT_ACTIONS are the seed nine, frozen', () => {
    expect(DEFAULT_ACTIONS).toEqual([
      'admin_password_reset',
      'user_created',
      'user_updated',
      'user_deleted',
      'user_confirmed',
      'user_locked',
      'user_unlocked',
      'role_assigned',
      'role_revoked',
    ])
    expect(Object.isFrozen(DEFAULT_ACTIONS)).toBe(true)
  })

  test('bad configuration fails at construction with the option named', async () => {
    const db = new Database(':memory:')
    await invalid(undefined, 'input')
    await invalid({}, 'database')
    await invalid({ database: 'mysql://x' }, 'database')
    await invalid({ database: 'sqlite:' }, 'database')
    await invalid({ database: 42 }, 'database')
    await invalid({ database: {} }, 'database')
    await invalid({ database: new Kysely({ dialect: new SqliteDialect({ database: db }) }) }, 'database')
    await invalid({ database: 'sqlite::memory:', actions: [] }, 'actions')
    await invalid({ database: 'sqlite::memory:', actions: ['a', 'a'] }, 'actions')
    await invalid({ database: 'sqlite::memory:', actions: [''] }, 'actions[0]')
    await invalid({ database: 'sqlite::memory:', actions: 'user_created' }, 'actions')
    await invalid({ database: 'sqlite::memory:', userIdFormat: 'int' }, 'userIdFormat')
    await invalid({ database: 'sqlite::memory:', table: 'audit-logs' }, 'table')
    await invalid({ database: 'sqlite::memory:', table: 'x; DROP TABLE users' }, 'table')
    await invalid({ database: 'sqlite::memory:', table: 't'.repeat(48) }, 'table')
    await invalid({ database: 'sqlite::memory:', schema: 'audit' }, 'schema')
    await invalid({ database: 'sqlite::memory:', poolSize: 5 }, 'poolSize')
    await invalid({ database: 'postgres://x/y', busyTimeoutMs: 5 }, 'busyTimeoutMs')
    await invalid({ database: 'postgres://x/y', synchronous: 'normal' }, 'synchronous')
    await invalid({ database: db, busyTimeoutMs: 5 }, 'busyTimeoutMs')
    await invalid({ database: db, synchronous: 'normal' }, 'synchronous')
    await invalid({ database: 'postgres://x/y', poolSize: 0 }, 'poolSize')
    await invalid({ database: 'sqlite::memory:', migrate: 'yes' }, 'migrate')
    await invalid({ database: 'sqlite::memory:', preparedStatements: false }, 'preparedStatements')
    await invalid({ database: 'postgres://x/y', preparedStatements: 'no' }, 'preparedStatements')
    await invalid({ database: 'sqlite::memory:', tableName: 'x' }, 'tableName')
    db.close()
  })

  test('a table name of 47 characters works on SQLite', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:', table: 't'.repeat(47) })
    expect(await audit.countLogs()).toBe(0)
    await audit.close()
  })

  test('the engine is reported', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:' })
    expect(audit.engine).toBe('sqlite')
    expect(audit.actions).toEqual(DEFAULT_ACTIONS)
    await audit.close()
  })
})
