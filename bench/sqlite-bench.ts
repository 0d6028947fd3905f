import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { type AuditLog, createAuditLog } from '../src/index.js'
import { sqliteEngine } from '../src/store/sqlite/sqlite-engine.js'
import type { Input } from './data.js'
import type { EngineBench, RawBaseline, RawRow } from './engine-bench.js'
import { packageVersion } from './machine.js'
import { rawSql } from './raw-sql.js'
import { openSqliteSeed } from './seed-sqlite.js'
import { sqliteWritePaths } from './sqlite-writes.js'

const TABLE = 'auditkit_entries'

// What a hand-written app computes per entry: a v4 UUID, the metadata as JSON, the time now.
function rowOf(input: Input): unknown[] {
  return [
    randomUUID(),
    input.targetUserUuid,
    input.adminUserUuid,
    input.action,
    input.ipAddress ?? null,
    input.userAgent ?? null,
    JSON.stringify(input.metadata ?? {}),
    Date.now(),
  ]
}

function rawBaseline(db: Database.Database, table: string): RawBaseline {
  return {
    param: () => '?',
    prepare(text) {
      const statement = db.prepare(text)
      return (params) => statement.all(params) as RawRow[]
    },
    ...sqliteWritePaths(
      db,
      rawSql(table, () => '?'),
      rowOf,
    ),
  }
}

function planText(rows: readonly { id: number; parent: number; detail: string }[]): string {
  const depth = new Map<number, number>([[0, -1]])
  return rows
    .map((r) => {
      const d = (depth.get(r.parent) ?? -1) + 1
      depth.set(r.id, d)
      return `${'  '.repeat(d)}${r.detail}`
    })
    .join('\n')
}

/**
 * A fresh SQLite file under the temp directory, deleted by `destroy()`. auditkit opens it by path
 * (WAL, synchronous=FULL, busy timeout 5 s); the raw driver opens its own connection to the same
 * file with the same pragmas, so both pay the same commit cost.
 */
export async function openSqliteBench(): Promise<EngineBench> {
  const path = join(tmpdir(), `auditkit-bench-${process.pid}.db`)
  const logs: AuditLog[] = []
  const openAudit = async () => {
    const log = await createAuditLog({ database: `sqlite:${path}`, table: TABLE })
    logs.push(log)
    return log
  }
  await (await openAudit()).close()
  const db = new Database(path)
  db.pragma('busy_timeout = 5000')
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  const dialect = sqliteEngine(TABLE)
  let destroyed = false
  return {
    engine: 'sqlite',
    table: dialect.table,
    raw: rawBaseline(db, dialect.table),
    seed: openSqliteSeed(db, dialect.table),
    dialect,
    inFlight: 16,
    openAudit,
    async analyze() {
      db.exec('ANALYZE')
      db.pragma('wal_checkpoint(TRUNCATE)')
    },
    async describe() {
      const version = db.prepare('SELECT sqlite_version() AS v').get() as { v: string }
      return {
        SQLite: `${version.v} (better-sqlite3 ${packageVersion('better-sqlite3')})`,
        'SQLite settings': `journal_mode=${db.pragma('journal_mode', { simple: true })}, synchronous=${db.pragma('synchronous', { simple: true })} (2 = FULL), page_size=${db.pragma('page_size', { simple: true })}, cache_size=${db.pragma('cache_size', { simple: true })}, file under ${tmpdir()}`,
      }
    },
    async explain(text, params) {
      return planText(
        db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { id: number; parent: number; detail: string }[],
      )
    },
    async destroy() {
      if (destroyed) return
      destroyed = true
      for (const log of logs) await log.close().catch(() => {})
      if (db.open) db.close()
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
    },
  }
}
