import { randomUUID } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { type AuditLog, createAuditLog, type Entry, type KeySet } from '../../src/index.js'
import { PG_URL, uniqueSchema } from '../support/postgres.js'

/** A log's tables on one engine, as the CLI reaches them (flags) and as a test prepares or breaks them. */
export interface CliLogFixture {
  readonly name: string
  readonly engine: 'sqlite' | 'postgres'
  /** A scratch directory (keys, checkpoint files, exports), removed at teardown. */
  readonly dir: string
  /** The CLI's connection flags for `table` (--database, --table, --schema on PostgreSQL). */
  args(table: string): string[]
  /** Opens `table` with the library (migrating it), closed at teardown. */
  open(table: string, options?: { signingKey?: string; trustedKeys?: KeySet; origin?: string }): Promise<AuditLog>
  /** Raw SQL as the tables' owner, `?` placeholders on both engines. */
  sql(text: string, params?: readonly unknown[]): Promise<unknown[]>
  /** The quoted (and on PostgreSQL qualified) name of `table`, for raw SQL. */
  quoted(table: string): string
  /** Turns off the append-only guard on the entries of `table`, as an attacker with the owner's rights can. */
  disableAppendOnly(table: string): Promise<void>
  teardown(): Promise<void>
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Writes `n` entries with the library. */
export function writeEntries(audit: AuditLog, n: number): Promise<Entry[]> {
  return audit.createLogEntries(
    Array.from({ length: n }, (_, i) => ({
      action: 'user_updated' as const,
      targetUserUuid: randomUUID(),
      adminUserUuid: randomUUID(),
      ipAddress: '192.0.2.7',
      metadata: { i },
    })),
  )
}

/** Writes `text` to `dir/name` with `mode` (chmod after writing: the umask does not decide). */
export function writeKeyFile(dir: string, name: string, text: string, mode = 0o600): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  chmodSync(file, mode)
  return file
}

function common(name: string, engine: 'sqlite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), `auditkit-cli-${engine}-`))
  const logs: AuditLog[] = []
  return { name, engine, dir, logs }
}

/** SQLite: one file in a scratch directory, the attacker on a better-sqlite3 connection of their own. */
export function sqliteCliLog(): CliLogFixture {
  const { name, engine, dir, logs } = common('SQLite file', 'sqlite')
  const path = join(dir, 'audit.db')
  let db: Database.Database | undefined
  const conn = () => {
    db ??= new Database(path)
    db.pragma('busy_timeout = 5000')
    return db
  }
  return {
    name,
    engine,
    dir,
    args: (table) => ['--database', `sqlite:${path}`, '--table', table],
    async open(table, options = {}) {
      const log = await createAuditLog({ database: `sqlite:${path}`, table, sealIntervalMs: 0, ...options })
      logs.push(log)
      return log
    },
    async sql(text, params = []) {
      const statement = conn().prepare(text)
      if (statement.reader) return statement.all(...params)
      statement.run(...params)
      return []
    },
    quoted: quote,
    async disableAppendOnly(table) {
      // The guards sqlite-migrations puts on the entries: `<table>_no_update` and its siblings.
      for (const guard of ['no_update', 'no_delete', 'no_replace'])
        conn().exec(`DROP TRIGGER ${quote(`${table}_${guard}`)}`)
    },
    async teardown() {
      for (const log of logs) await log.close({ seal: false })
      db?.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** PostgreSQL: a schema of its own (dropped at teardown), tables in it. */
export function postgresCliLog(): CliLogFixture {
  const { name, engine, dir, logs } = common('PostgreSQL', 'postgres')
  const schema = uniqueSchema('auditkit_cli')
  let owner: pg.Pool | undefined
  const pool = () => {
    owner ??= new pg.Pool({ connectionString: PG_URL, max: 2 })
    return owner
  }
  const quoted = (table: string) => `${quote(schema)}.${quote(table)}`
  const sql = async (text: string, params: readonly unknown[] = []) => {
    let i = 0
    return (
      await pool().query(
        text.replaceAll('?', () => `$${++i}`),
        [...params],
      )
    ).rows
  }
  return {
    name,
    engine,
    dir,
    args: (table) => ['--database', PG_URL, '--schema', schema, '--table', table],
    async open(table, options = {}) {
      const log = await createAuditLog({ database: PG_URL, schema, table, poolSize: 2, sealIntervalMs: 0, ...options })
      logs.push(log)
      return log
    },
    sql,
    quoted,
    async disableAppendOnly(table) {
      await sql(`ALTER TABLE ${quoted(table)} DISABLE TRIGGER USER`)
    },
    async teardown() {
      for (const log of logs) await log.close({ seal: false })
      await pool().query(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`)
      await pool().end()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
