import { describe, expect, test } from 'vitest'
import { toStoreError } from '../../src/errors.js'
import { StoreError } from '../../src/index.js'

const driverError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {})

describe('StoreError.retryable, code and driverCode', () => {
  const cases: [string, Error, boolean, string | undefined][] = [
    // PostgreSQL: connection exceptions, shutdown and startup, serialization failures, deadlocks, locks.
    ['admin shutdown (pg_terminate_backend)', driverError('terminating connection', '57P01'), true, '57P01'],
    ['crash shutdown', driverError('terminating connection because of crash', '57P02'), true, '57P02'],
    ['starting up', driverError('the database system is starting up', '57P03'), true, '57P03'],
    ['connection failure', driverError('connection failure', '08006'), true, '08006'],
    ['serialization failure', driverError('could not serialize access', '40001'), true, '40001'],
    ['deadlock', driverError('deadlock detected', '40P01'), true, '40P01'],
    ['lock timeout', driverError('canceling statement due to lock timeout', '55P03'), true, '55P03'],
    ['too many connections', driverError('sorry, too many clients already', '53300'), true, '53300'],
    ['unique violation', driverError('duplicate key value', '23505'), false, '23505'],
    ['statement timeout', driverError('canceling statement due to statement timeout', '57014'), false, '57014'],
    ['undefined table', driverError('relation does not exist', '42P01'), false, '42P01'],
    ['append-only guard', driverError('auditkit: the audit log is append-only', '42501'), false, '42501'],
    // pg's own errors for a dropped connection carry no code.
    ['connection lost', driverError('Connection terminated unexpectedly'), true, undefined],
    ['broken client', driverError('Client has encountered a connection error and is not queryable'), true, undefined],
    ['pool wait timed out', driverError('timeout exceeded when trying to connect'), true, undefined],
    // Node.js system errors.
    ['refused', driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), true, 'ECONNREFUSED'],
    ['reset', driverError('read ECONNRESET', 'ECONNRESET'), true, 'ECONNRESET'],
    ['broken pipe', driverError('write EPIPE', 'EPIPE'), true, 'EPIPE'],
    ['no such host', driverError('getaddrinfo ENOTFOUND db', 'ENOTFOUND'), false, 'ENOTFOUND'],
    // SQLite.
    ['busy', driverError('database is locked', 'SQLITE_BUSY'), true, 'SQLITE_BUSY'],
    ['busy snapshot', driverError('database is locked', 'SQLITE_BUSY_SNAPSHOT'), true, 'SQLITE_BUSY_SNAPSHOT'],
    ['locked', driverError('database table is locked', 'SQLITE_LOCKED'), true, 'SQLITE_LOCKED'],
    ['disk full', driverError('database or disk is full', 'SQLITE_FULL'), false, 'SQLITE_FULL'],
    ['read-only', driverError('attempt to write a readonly database', 'SQLITE_READONLY'), false, 'SQLITE_READONLY'],
    ['not a database', driverError('file is not a database', 'SQLITE_NOTADB'), false, 'SQLITE_NOTADB'],
    [
      'constraint',
      driverError('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE'),
      false,
      'SQLITE_CONSTRAINT_UNIQUE',
    ],
    // Anything else.
    ['a plain error', new Error('something else'), false, undefined],
  ]
  for (const [name, cause, retryable, code] of cases) {
    test(`${name}: retryable ${retryable}, driverCode ${code}`, () => {
      const error = toStoreError('insert', cause)
      expect(error).toBeInstanceOf(StoreError)
      const stable = retryable ? 'store_unavailable' : 'store_failed'
      expect(error).toMatchObject({ operation: 'insert', retryable, driverCode: code, code: stable, cause })
      expect(error.message).toBe(`insert failed: ${cause.message}`)
    })
  }

  test('a thrown non-Error, a closed log, and explicit values', () => {
    expect(toStoreError('find', 'boom')).toMatchObject({
      retryable: false,
      code: 'store_failed',
      driverCode: undefined,
      message: 'find failed: boom',
    })
    expect(new StoreError('countLogs', 'the audit log is closed', { closed: true })).toMatchObject({
      retryable: false,
      code: 'closed',
      driverCode: undefined,
    })
    expect(new StoreError('seal', 'busy', { retryable: true })).toMatchObject({
      retryable: true,
      code: 'store_unavailable',
    })
    expect(toStoreError('open', driverError('file is not a database', 'SQLITE_NOTADB'), 'file /tmp/x.db').message).toBe(
      'open failed: file is not a database (file /tmp/x.db)',
    )
  })

  test('as(operation) renames the operation and keeps everything else', () => {
    const cause = driverError('terminating connection due to administrator command', '57P01')
    const inner = toStoreError('seal', cause) as StoreError
    const outer = inner.as('treeHead')
    expect(outer).toMatchObject({
      operation: 'treeHead',
      message: 'treeHead failed: terminating connection due to administrator command',
      retryable: true,
      code: 'store_unavailable',
      driverCode: '57P01',
      cause,
    })
    expect(inner.as('seal')).toBe(inner)
    const closed = new StoreError('insert', 'the audit log is closed', { closed: true }).as('createLogEntry')
    expect(closed.code).toBe('closed')
  })

  test("auditkit's own errors pass through unchanged", () => {
    const own = new StoreError('seal', 'x', { retryable: true })
    expect(toStoreError('insert', own)).toBe(own)
  })
})
