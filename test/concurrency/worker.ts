// A child process for the sealing concurrency tests (test/concurrency/sealing-concurrency.test.ts).
// Usage: node --import tsx worker.ts '<json WorkerConfig>'
//
// Roles:
// - writer: writes entries for `durationMs`, one operation at a time: plain createLogEntry and
//   createLogEntries, `using()` transactions that commit late, and `using()` transactions that roll
//   back. Prints `{"committed": [...uuids], "rolledBack": [...uuids], "lateCommits": n}` and exits.
// - sealer: calls `seal()` in a loop until stdin says `stop` (or closes), then prints
//   `{"sealed": n, "calls": c, "nonEmpty": k}` and exits.
// - kill-sealer: prints `sealing` right before one `seal()`, then `sealed <n>` if it lives that long
//   (the test kills it with SIGKILL in between). With `killAfterSeals` (SQLite), it kills itself
//   with SIGKILL from inside the batch, right after inserting that many seal rows.
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import pg from 'pg'
import { type AuditLog, createAuditLog, type DefaultAction, type LogEntryInput } from '../../src/index.js'

export interface WorkerConfig {
  readonly role: 'writer' | 'sealer' | 'kill-sealer'
  /** `sqlite:<path>` or a postgres:// URL. */
  readonly database: string
  readonly table: string
  readonly schema?: string
  readonly sealBatchSize: number
  /** writer: how long to write. */
  readonly durationMs?: number
  /** writer: its number, to vary the mix between writers. */
  readonly id?: number
  /** kill-sealer on SQLite: SIGKILL itself once the batch has inserted this many seal rows. */
  readonly killAfterSeals?: number
}

const config = JSON.parse(process.argv[2] ?? '') as WorkerConfig
const postgres = !config.database.startsWith('sqlite:')

/**
 * SQLite, killAfterSeals: the log runs on a Database opened here, with a temporary trigger (this
 * connection only) that counts the seal rows inserted and kills the process in the middle of the
 * batch's writes, inside its transaction.
 */
function selfKillingDatabase(killAfter: number): Database.Database {
  const db = new Database(config.database.slice('sqlite:'.length))
  db.pragma('busy_timeout = 10000')
  let inserted = 0
  db.function('auditkit_test_sealed', () => {
    if (++inserted === killAfter) process.kill(process.pid, 'SIGKILL')
    return null
  })
  db.exec(
    `CREATE TEMP TRIGGER auditkit_test_kill AFTER INSERT ON main."${config.table}_seals" ` +
      'BEGIN SELECT auditkit_test_sealed(); END',
  )
  return db
}

const audit = await createAuditLog({
  database:
    config.killAfterSeals !== undefined && !postgres ? selfKillingDatabase(config.killAfterSeals) : config.database,
  table: config.table,
  ...(config.schema === undefined ? {} : { schema: config.schema }),
  ...(postgres ? { poolSize: 2 } : {}),
  sealIntervalMs: 0,
  sealBatchSize: config.sealBatchSize,
  // The test migrated the log before starting any child.
  migrate: false,
})

const admin = crypto.randomUUID()
function input(i: number): LogEntryInput<DefaultAction> {
  return { targetUserUuid: crypto.randomUUID(), adminUserUuid: admin, action: 'user_updated', metadata: { i } }
}

function print(value: unknown): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${JSON.stringify(value)}\n`, () => resolve()))
}

/**
 * One transaction of the caller's around `fn(log)`: `using()` on a pg client after BEGIN, or on a
 * better-sqlite3 Database after BEGIN IMMEDIATE (which holds SQLite's write lock until the end).
 */
interface Tx {
  run(fn: (log: AuditLog) => Promise<string[]>, sleepMs: number, commit: boolean): Promise<string[]>
  close(): Promise<void>
}

async function openTx(): Promise<Tx> {
  if (postgres) {
    const client = new pg.Client({ connectionString: config.database })
    await client.connect()
    return {
      async run(fn, sleepMs, commit) {
        await client.query('BEGIN')
        try {
          const uuids = await fn(audit.using(client))
          await sleep(sleepMs)
          uuids.push(...(await fn(audit.using(client))))
          await client.query(commit ? 'COMMIT' : 'ROLLBACK')
          return uuids
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {})
          throw error
        }
      },
      close: () => client.end(),
    }
  }
  const db = new Database(config.database.slice('sqlite:'.length))
  db.pragma('busy_timeout = 10000')
  return {
    async run(fn, sleepMs, commit) {
      db.exec('BEGIN IMMEDIATE')
      try {
        const uuids = await fn(audit.using(db))
        await sleep(sleepMs)
        uuids.push(...(await fn(audit.using(db))))
        db.exec(commit ? 'COMMIT' : 'ROLLBACK')
        return uuids
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw error
      }
    },
    close: async () => {
      db.close()
    },
  }
}

async function write(): Promise<void> {
  const id = config.id ?? 0
  const deadline = Date.now() + (config.durationMs ?? 3000)
  const committed: string[] = []
  const rolledBack: string[] = []
  let lateCommits = 0
  const tx = await openTx()
  // Late commits: on PostgreSQL a transaction with an old xid that commits 200-800 ms later, after
  // newer entries were sealed; SQLite holds the write lock meanwhile, so there they stay short.
  const lateMs = () => (postgres ? 200 + Math.floor(Math.random() * 600) : 20 + Math.floor(Math.random() * 40))
  const some = (n: number) => async (log: AuditLog) =>
    n === 1
      ? [(await log.createLogEntry(input(0))).uuid]
      : (await log.createLogEntries(Array.from({ length: n }, (_, i) => input(i)))).map((e) => e.uuid)
  // Every 20 operations: one or two late commits (entries written, a sleep, more entries, COMMIT),
  // two rollbacks, the rest plain writes (every third a batch of 2-10). Each kind comes within the
  // first 20 operations, so every writer does all of them.
  for (let i = 0; Date.now() < deadline; i++) {
    const step = (i + id) % 20
    if (step === 1 || (step === 11 && id % 2 === 0)) {
      committed.push(...(await tx.run(some(1 + (i % 3)), lateMs(), true)))
      lateCommits++
    } else if (step === 4 || step === 15) {
      rolledBack.push(...(await tx.run(some(1 + (i % 4)), postgres ? lateMs() / 4 : 5, false)))
    } else if (step % 3 === 0) {
      committed.push(...(await some(2 + (i % 9))(audit)))
    } else {
      committed.push(...(await some(1)(audit)))
    }
    // SQLite's busy handler is not fair: a process that writes back to back (each commit an fsync
    // under the lock) starves the others, sealers included. A breath between writes lets them in.
    if (!postgres) await sleep(1 + Math.floor(Math.random() * 3))
  }
  await tx.close()
  // The test counts what each sealer sealed: the writers leave sealing to them.
  await audit.close({ seal: false })
  await print({ committed, rolledBack, lateCommits })
}

async function sealLoop(): Promise<void> {
  let stop = false
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (chunk: string) => {
    if (chunk.includes('stop')) stop = true
  })
  process.stdin.on('end', () => {
    stop = true
  })
  let sealed = 0
  let calls = 0
  let nonEmpty = 0
  await print('ready')
  while (!stop) {
    const result = await audit.seal()
    sealed += result.sealed
    calls++
    if (result.sealed > 0) nonEmpty++
    // A short pause: lets the other sealer and the writers in.
    await sleep(2 + Math.floor(Math.random() * 8))
  }
  await audit.close({ seal: false })
  await print({ sealed, calls, nonEmpty })
  process.stdin.destroy()
}

async function sealOnce(): Promise<void> {
  await print('sealing')
  const result = await audit.seal()
  await print(`sealed ${result.sealed}`)
  await audit.close()
}

if (config.role === 'writer') await write()
else if (config.role === 'sealer') await sealLoop()
else await sealOnce()
