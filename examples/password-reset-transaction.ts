// An admin resets a user's password: the new hash and the audit entry commit together or not at
// all. Shown with better-sqlite3 (explicit BEGIN/COMMIT) and with a Kysely transaction.
// Run: npx tsx examples/password-reset-transaction.ts
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { createAuditLog } from '../src/index.js'

interface Tables {
  users: { id: string; password_hash: string }
}

interface PasswordReset {
  userId: string
  adminId: string
  passwordHash: string
  ipAddress: string
  userAgent: string
}

const db = new Database(':memory:')
db.exec('CREATE TABLE users (id TEXT PRIMARY KEY, password_hash TEXT NOT NULL)')
// The log shares the app's connection: using(db) then writes inside the app's transaction.
const audit = await createAuditLog({ database: db })

// better-sqlite3's db.transaction(fn) runs fn synchronously and cannot await, so the
// transaction is opened and closed by hand around the awaited audit write.
async function resetWithBetterSqlite(reset: PasswordReset, failBeforeCommit: boolean): Promise<void> {
  db.exec('BEGIN IMMEDIATE')
  try {
    db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(reset.passwordHash, reset.userId)
    await audit.using(db).logPasswordChange({
      targetUserUuid: reset.userId,
      adminUserUuid: reset.adminId,
      ipAddress: reset.ipAddress,
      userAgent: reset.userAgent,
    })
    if (failBeforeCommit) throw new Error('the notification e-mail could not be queued')
    db.exec('COMMIT')
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
}

const kysely = new Kysely<Tables>({ dialect: new SqliteDialect({ database: db }) })

// A Kysely transaction (SQLite or PostgreSQL): pass `trx` to using().
async function resetWithKysely(reset: PasswordReset, failBeforeCommit: boolean): Promise<void> {
  await kysely.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: reset.passwordHash }).where('id', '=', reset.userId).execute()
    await audit.using(trx).logPasswordChange({
      targetUserUuid: reset.userId,
      adminUserUuid: reset.adminId,
      ipAddress: reset.ipAddress,
      userAgent: reset.userAgent,
    })
    if (failBeforeCommit) throw new Error('the notification e-mail could not be queued')
  })
}

const userId = '0190d5f2-0000-7000-8000-0000000a11ce'
const adminId = '0190d5f2-0000-7000-8000-00000000000a'
db.prepare('INSERT INTO users (id, password_hash) VALUES (?, ?)').run(userId, 'hash-0')

async function attempt(label: string, reset: typeof resetWithKysely, hash: string, fail: boolean): Promise<void> {
  const request = { userId, adminId, passwordHash: hash, ipAddress: '192.0.2.10', userAgent: 'Mozilla/5.0' }
  let outcome = 'committed'
  try {
    await reset(request, fail)
  } catch (error) {
    outcome = `rolled back (${(error as Error).message})`
  }
  const row = db.prepare('SELECT password_hash FROM users WHERE id = ?').get(userId) as Tables['users']
  const resets = await audit.countLogs({ action: 'admin_password_reset', targetUserUuid: userId })
  console.log(`${label.padEnd(34)} ${outcome}`)
  console.log(`${''.padEnd(34)} password_hash = ${row.password_hash}, audit entries = ${resets}`)
}

await attempt('better-sqlite3, BEGIN ... COMMIT', resetWithBetterSqlite, 'hash-1', false)
await attempt('better-sqlite3, BEGIN ... ROLLBACK', resetWithBetterSqlite, 'hash-2', true)
await attempt('Kysely transaction, commit', resetWithKysely, 'hash-3', false)
await attempt('Kysely transaction, throw', resetWithKysely, 'hash-4', true)

for (const entry of await audit.listLogsForUser(userId)) {
  console.log(`${entry.insertedAt.toISOString()} ${entry.action} by ${entry.adminUserUuid} from ${entry.ipAddress}`)
}

await audit.close() // leaves the app's connection open
await kysely.destroy() // closes it
