import { createHash } from 'node:crypto'
import type { Entry } from '../../entry.js'
import { ValidationError } from '../../errors.js'
import type { BatchSql, Engine } from '../engine.js'
import { INSERT_COLUMNS, insertValues } from '../entry-sql.js'
import { dateOfMs } from '../entry-values.js'
import type { Row, SqlExecutor } from '../executor.js'
import { quoteIdentifier } from '../identifiers.js'
import { isKysely, KyselyExecutor } from '../kysely-executor.js'
import { runMigrations } from '../migrations.js'
import type { StoredEntry, StoreLocation } from '../store.js'
import { isPgPool, isPgQueryable, PgClientExecutor, PgPoolExecutor } from './postgres-executor.js'
import { postgresMigrationPlan } from './postgres-migrations.js'
import { INDEX_SETTINGS, postgresSealer } from './postgres-sealer.js'

// One name per statement text: a connection that prepared it under this name keeps it.
function statementName(text: string): string {
  return `auditkit_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`
}

/**
 * PostgreSQL's part of the store: `$n` parameters, timestamptz, jsonb. A batch is one statement
 * over `unnest` of arrays, so it is atomic by itself and its text does not grow with its size.
 */
export function postgresEngine(location: StoreLocation, preparedStatements = true): Engine {
  const table = `${quoteIdentifier(location.schema)}.${quoteIdentifier(location.table)}`
  const side = (name: string) => `${quoteIdentifier(location.schema)}.${quoteIdentifier(`${location.table}_${name}`)}`
  const insertOne = `INSERT INTO ${table} (${INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`
  const insertMany =
    `INSERT INTO ${table} (${INSERT_COLUMNS}) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], ` +
    '$5::text[], $6::text[], $7::jsonb[], $8::timestamptz[])'
  const plan = postgresMigrationPlan(location)
  const name = (text: string) => (preparedStatements ? statementName(text) : undefined)
  const insertOneName = name(insertOne)
  const insertManyName = name(insertMany)
  let seal: ReturnType<typeof postgresSealer> | undefined
  const engine: Engine = {
    name: 'postgres',
    table,
    sealsTable: side('seals'),
    tiles: side('tiles'),
    sealer: side('sealer'),
    checkpoints: side('checkpoints'),
    apiKeys: side('api_keys'),
    idempotency: side('idempotency'),
    // What the next sweep would read: transactions the sealed snapshot saw in progress, and those
    // after it, without a seal (a sweep under way may have sealed some already).
    pendingSql: (() => {
      const sealed = `(SELECT sealed_snapshot FROM ${side('sealer')} WHERE id = 1)`
      const unsealed = `NOT EXISTS (SELECT 1 FROM ${side('seals')} x WHERE x.uuid = e.uuid)`
      const pending = (where: string) => `SELECT e.inserted_at FROM ${table} e WHERE ${where} AND ${unsealed}`
      return (
        `SELECT count(*) AS n, floor(extract(epoch from min(p.inserted_at)) * 1000)::float8 AS oldest FROM (` +
        `${pending(`e.tx_id >= pg_snapshot_xmax(${sealed})`)} UNION ALL ` +
        `${pending(`e.tx_id IN (SELECT pg_snapshot_xip(${sealed}))`)}) p`
      )
    })(),
    sealedPast: 'pg_visible_in_snapshot(e.tx_id, s.sealed_snapshot)',
    pastFlag: `pg_visible_in_snapshot(e.tx_id, (SELECT z.sealed_snapshot FROM ${side('sealer')} z WHERE z.id = 1))`,
    pastNow: `(SELECT z.sealed_snapshot::text FROM ${side('sealer')} z WHERE z.id = 1)`,
    unsealedPosition: 'pg_visible_in_snapshot(e.tx_id, s.sealed_snapshot)',
    scan: {
      key: 'e.tx_id AS k1, e.uuid AS k2',
      order: 'e.tx_id, e.uuid',
      after: (n) => `(e.tx_id, e.uuid) > ($${n}::xid8, $${n + 1}::uuid)`,
      upTo: (n) => `(e.tx_id, e.uuid) <= ($${n}::xid8, $${n + 1}::uuid)`,
      keyText: 'c.k1::text AS k1, c.k2::text AS k2',
      // The chunk's columns, not the text above: transaction ids do not sort as text.
      keyDesc: 'c.k1 DESC, c.k2 DESC',
      lastKey: `SELECT tx_id::text AS k1, uuid::text AS k2 FROM ${table} ORDER BY tx_id DESC, uuid DESC LIMIT 1`,
      keyLength: 2,
    },
    indexSettings: INDEX_SETTINGS,
    sealsAhead: true,
    positions: undefined,
    param: (n) => `$${n}`,
    readParam: (n) => `$${n}`,
    // ISO strings: pg would format a Date parameter itself, in local time and more slowly.
    encodeDate: (date) => date.toISOString(),
    // As text: a caller's Kysely CamelCasePlugin would otherwise rewrite the keys inside metadata.
    metadataAsText: (column) => `${column}::text`,
    // float8, not bigint: 'infinity' (which raw SQL can store) must read back, as an invalid Date.
    dateAsMs: (column) => `floor(extract(epoch from ${column}) * 1000)::float8`,
    // As text: an app's global pg type parser for numeric (often parseFloat) must not turn the
    // epoch seconds into a number that reads as milliseconds.
    readDate: (column) => `extract(epoch from ${column})::text`,
    // Seals follow the commit order, not the table's: one probe of the seals per row.
    seqOf: (from) => `(SELECT seq FROM ${side('seals')} WHERE ${side('seals')}.uuid = ${from}.uuid) AS seq`,
    seqFromRow: false,
    bitmapAnd: true,
    insertSql(entries: readonly StoredEntry[]): BatchSql {
      if (entries.length === 1) {
        return { text: insertOne, paramLists: [insertValues(this, entries[0] as StoredEntry)], name: insertOneName }
      }
      const columns: unknown[][] = [[], [], [], [], [], [], [], []]
      for (const stored of entries) {
        const values = insertValues(this, stored)
        for (let i = 0; i < values.length; i++) (columns[i] as unknown[]).push(values[i])
      }
      return { text: insertMany, paramLists: [columns], name: insertManyName }
    },
    toEntry(row: Row): Entry {
      const metadata = row.metadata
      return {
        uuid: row.uuid as string,
        targetUserUuid: row.target as string,
        adminUserUuid: row.admin as string,
        action: row.action as string,
        ipAddress: (row.ip as string | null) ?? null,
        userAgent: (row.agent as string | null) ?? null,
        metadata: typeof metadata === 'string' ? JSON.parse(metadata) : (metadata as Entry['metadata']),
        insertedAt: dateOfMs(row.at),
        seq: row.seq === null || row.seq === undefined ? null : Number(row.seq),
      }
    },
    sealBatch(executor: SqlExecutor, maxEntries: number) {
      seal ??= postgresSealer(engine, location, (row) => engine.toEntry(row))
      return seal(executor, maxEntries)
    },
    async migrate(executor: SqlExecutor): Promise<void> {
      await runMigrations(executor, plan)
    },
    wrapHandle(handle: unknown): SqlExecutor {
      if (isKysely(handle)) return new KyselyExecutor(handle)
      if (isPgPool(handle)) return new PgPoolExecutor(handle)
      if (isPgQueryable(handle)) return new PgClientExecutor(handle)
      throw new ValidationError([
        { field: 'handle', message: 'must be a pg Client, PoolClient, Pool or a Kysely transaction' },
      ])
    },
  }
  return engine
}
