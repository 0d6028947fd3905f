import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { type AuditLog, createAuditLog, type KeySet } from '../../src/index.js'
import { PG_URL, uniqueSchema } from '../support/postgres.js'

/** A row as the drivers return it (PostgreSQL bigint as a string, blobs and bytea as Buffers). */
export type Row = Record<string, unknown>

/** The log's tables, quoted (and on PostgreSQL qualified), ready to put into SQL text. */
export interface Tables {
  readonly entries: string
  readonly seals: string
  readonly tiles: string
  readonly sealer: string
  readonly checkpoints: string
  readonly apiKeys: string
}

/** The columns of an entry row, as a forger writes them. */
export interface EntryColumns {
  readonly uuid: string
  readonly targetUserUuid: string
  readonly adminUserUuid: string
  readonly action: string
  readonly ipAddress: string | null
  readonly userAgent: string | null
  readonly metadataJson: string
  readonly insertedAt: Date
}

/** What an attacker with the owner's rights on the log's database can do, engine by engine. */
export interface TamperFixture {
  readonly engine: 'sqlite' | 'postgres'
  /** The log, opened with `signingKey`, `origin` and `sealIntervalMs: 0`. */
  readonly audit: AuditLog
  readonly tables: Tables
  /**
   * Raw SQL on a connection of the tables' owner, outside the log. Placeholders are `?` on both
   * engines (turned into `$1, $2, ...` on PostgreSQL); there is no `?` anywhere else in the text.
   */
  sql(text: string, params?: readonly unknown[]): Promise<Row[]>
  /** Turns off the append-only guards on entries, seals and checkpoints. */
  disableAppendOnly(): Promise<void>
  /** A Date as the engine stores `inserted_at` (a parameter for `sql`). */
  dateValue(date: Date): unknown
  /**
   * Waits until the sealed position lies past every entry written so far. SQLite: at once (the
   * position is the last sealed rowid). PostgreSQL: the sealer's horizon (below which every entry
   * must have a seal) is the cluster-wide xmin of its last complete batch, which another test
   * file's open transaction can hold back for a moment: seal again until it passes the newest
   * entry's transaction.
   */
  settle(): Promise<void>
  /**
   * Inserts an entry that sorts before the sealed position, as if written before the last seal:
   * SQLite: rowid 0 (rowids start at 1, so it is free and below every sealed one); PostgreSQL: the
   * `tx_id` of the oldest sealed entry (below the sealer's horizon once `settle()` has run).
   */
  insertIntoSealedPast(entry: EntryColumns): Promise<void>
  /** Puts the sealer's state row back to what the migration inserts: nothing sealed. */
  resetSealerState(): Promise<void>
  /**
   * Opens another log on the same tables (e.g. with an attacker's key, a rotated key and the keys
   * it replaced as `trustedKeys`, or no key at all); closed at teardown.
   */
  openLog(options: OpenLogOptions): Promise<AuditLog>
}

/** The options of `TamperFixture.openLog`, passed to `createAuditLog` as they are. */
export interface OpenLogOptions {
  readonly signingKey?: string | undefined
  readonly origin: string
  readonly trustedKeys?: KeySet | undefined
}

/**
 * Seals until the tree has `size` entries. PostgreSQL seals below the oldest transaction running
 * on the whole server, so another test file's open transaction can hold sealing back a moment.
 */
export async function sealTo(audit: AuditLog, size: number): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const { treeSize } = await audit.seal()
    if (treeSize === size) return
    if (treeSize > size || Date.now() > deadline) throw new Error(`sealed ${treeSize} entries, expected ${size}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** One engine set-up that the tampering cases run against. */
export interface TamperHarness {
  readonly name: string
  readonly engine: 'sqlite' | 'postgres'
  /** A fresh, empty log (its own file or table). */
  open(options: { signingKey: string; origin: string }): Promise<TamperFixture>
  /** Closes everything the harness opened and drops its data. */
  teardown(): Promise<void>
}

const INSERT_COLUMNS = 'uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at'

function insertValues(entry: EntryColumns, date: unknown): unknown[] {
  return [
    entry.uuid,
    entry.targetUserUuid,
    entry.adminUserUuid,
    entry.action,
    entry.ipAddress,
    entry.userAgent,
    entry.metadataJson,
    date,
  ]
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/**
 * SQLite on a real file: the log opens the file itself (`sqlite:<path>`); the attacker has a
 * better-sqlite3 connection of their own to the same file.
 */
export function sqliteTamperHarness(): TamperHarness {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-tamper-'))
  const logs: AuditLog[] = []
  const dbs: Database.Database[] = []
  let n = 0
  return {
    name: 'SQLite file',
    engine: 'sqlite',
    async open({ signingKey, origin }) {
      const path = join(dir, `audit-${++n}.db`)
      const table = 'audit_entries'
      const openLog = async (o: OpenLogOptions) => {
        const log = await createAuditLog({
          database: `sqlite:${path}`,
          table,
          signingKey: o.signingKey,
          trustedKeys: o.trustedKeys,
          origin: o.origin,
          sealIntervalMs: 0,
        })
        logs.push(log)
        return log
      }
      const audit = await openLog({ signingKey, origin })
      const db = new Database(path)
      db.pragma('busy_timeout = 5000')
      dbs.push(db)
      const side = (name: string) => quote(`${table}_${name}`)
      const tables: Tables = {
        entries: quote(table),
        seals: side('seals'),
        tiles: side('tiles'),
        sealer: side('sealer'),
        checkpoints: side('checkpoints'),
        apiKeys: side('api_keys'),
      }
      const sql = async (text: string, params: readonly unknown[] = []): Promise<Row[]> => {
        const statement = db.prepare(text)
        if (statement.reader) return statement.all(...params) as Row[]
        statement.run(...params)
        return []
      }
      return {
        engine: 'sqlite',
        audit,
        tables,
        sql,
        async disableAppendOnly() {
          // The names sqlite-migrations gives them: `<table>_no_<op>` on entries (plus the REPLACE
          // guard), `<table>_<first 4 letters of the side table>_no_<op>` on seals and checkpoints.
          for (const trigger of [
            'no_update',
            'no_delete',
            'no_replace',
            'seal_no_update',
            'seal_no_delete',
            'chec_no_update',
            'chec_no_delete',
          ]) {
            db.exec(`DROP TRIGGER ${quote(`${table}_${trigger}`)}`)
          }
          // Every guard is gone: a trigger added later would make this attack incomplete.
          const left = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all()
          if (left.length > 0) throw new Error(`triggers left after dropping the guards: ${JSON.stringify(left)}`)
        },
        dateValue: (date) => date.getTime(),
        async settle() {},
        async insertIntoSealedPast(entry) {
          await sql(
            `INSERT INTO ${tables.entries} (id, ${INSERT_COLUMNS}) VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?)`,
            insertValues(entry, entry.insertedAt.getTime()),
          )
        },
        async resetSealerState() {
          await sql(`UPDATE ${tables.sealer} SET size = 0, frontier = x'', last_id = 0, sealed_at = NULL WHERE id = 1`)
        },
        openLog,
      }
    },
    async teardown() {
      for (const log of logs) await log.close()
      for (const db of dbs) db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * PostgreSQL: a schema of its own for the test file (dropped at teardown), a table per fixture.
 * The log opens its own pool from the URL; the attacker is the tables' owner on a pool of their own.
 */
export function postgresTamperHarness(): TamperHarness {
  const schema = uniqueSchema('auditkit_tamper')
  const logs: AuditLog[] = []
  let owner: pg.Pool | undefined
  let n = 0
  const pool = () => {
    owner ??= new pg.Pool({ connectionString: PG_URL, max: 2 })
    return owner
  }
  return {
    name: 'PostgreSQL',
    engine: 'postgres',
    async open({ signingKey, origin }) {
      const table = `t${++n}`
      const openLog = async (o: OpenLogOptions) => {
        const log = await createAuditLog({
          database: PG_URL,
          schema,
          table,
          poolSize: 2,
          signingKey: o.signingKey,
          trustedKeys: o.trustedKeys,
          origin: o.origin,
          sealIntervalMs: 0,
        })
        logs.push(log)
        return log
      }
      const audit = await openLog({ signingKey, origin })
      const side = (name: string) => `${quote(schema)}.${quote(`${table}_${name}`)}`
      const tables: Tables = {
        entries: `${quote(schema)}.${quote(table)}`,
        seals: side('seals'),
        tiles: side('tiles'),
        sealer: side('sealer'),
        checkpoints: side('checkpoints'),
        apiKeys: side('api_keys'),
      }
      const sql = async (text: string, params: readonly unknown[] = []): Promise<Row[]> => {
        let i = 0
        const numbered = text.replaceAll('?', () => `$${++i}`)
        return (await pool().query(numbered, [...params])).rows as Row[]
      }
      return {
        engine: 'postgres',
        audit,
        tables,
        sql,
        async disableAppendOnly() {
          // As the owner: USER triggers are the append-only guards (no foreign keys here).
          for (const t of [tables.entries, tables.seals, tables.checkpoints]) {
            await sql(`ALTER TABLE ${t} DISABLE TRIGGER USER`)
          }
        },
        dateValue: (date) => date.toISOString(),
        async settle() {
          const deadline = Date.now() + 15_000
          for (;;) {
            const [row] = await sql(
              `SELECT (SELECT horizon FROM ${tables.sealer} WHERE id = 1) > (SELECT max(tx_id) FROM ${tables.entries}) AS passed`,
            )
            if (row?.passed === true) return
            if (Date.now() > deadline) throw new Error('the sealer horizon did not pass the newest entry in 15 s')
            await new Promise((resolve) => setTimeout(resolve, 50))
            await audit.seal()
          }
        },
        async insertIntoSealedPast(entry) {
          await sql(
            `INSERT INTO ${tables.entries} (${INSERT_COLUMNS}, tx_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ` +
              `(SELECT tx_id FROM ${tables.entries} ORDER BY tx_id LIMIT 1))`,
            insertValues(entry, entry.insertedAt.toISOString()),
          )
        },
        async resetSealerState() {
          await sql(
            `UPDATE ${tables.sealer} SET size = 0, frontier = '', horizon = '0', sealed_snapshot = '3:3:', ` +
              'sweep_snapshot = NULL, cursor_tx = NULL, cursor_uuid = NULL, sealed_at = NULL WHERE id = 1',
          )
        },
        openLog,
      }
    },
    async teardown() {
      for (const log of logs) await log.close()
      if (owner !== undefined) {
        await owner.query(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`)
        await owner.end()
      }
    },
  }
}
