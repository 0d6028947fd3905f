import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { type AuditLog, createAuditLog } from '../src/index.js'
import { postgresEngine } from '../src/store/postgres/postgres-engine.js'
import type { Input } from './data.js'
import type { EngineBench, RawBaseline } from './engine-bench.js'
import { packageVersion } from './machine.js'
import { COLUMNS, rawSql } from './raw-sql.js'
import type { SeedSide } from './seed-design.js'
import { openPostgresSeed } from './seed-postgres.js'

/** The database the PostgreSQL benchmark runs on. */
export const PG_URL = process.env.AUDITKIT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const TABLE = 'auditkit_entries'
const POOL_SIZE = 16
const SETTINGS = ['fsync', 'synchronous_commit', 'shared_buffers', 'work_mem', 'autovacuum', 'jit', 'max_wal_size']

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
    new Date(),
  ]
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** One field in COPY's text format. */
function copyField(value: unknown): string {
  if (value === null) return '\\N'
  const text = value instanceof Date ? value.toISOString() : String(value)
  return text.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c] as string)
}

function rawBaseline(pool: pg.Pool, table: string): RawBaseline {
  const param = (n: number) => `$${n}`
  const sql = rawSql(table, param)
  const copy = `COPY ${table} (${COLUMNS}) FROM STDIN`
  return {
    param,
    prepare: (text) => async (params) => (await pool.query(text, params as unknown[])).rows,
    async insertOne(input) {
      await pool.query(sql.insert, rowOf(input))
    },
    bulkPaths: [
      {
        label: 'multi-row INSERT',
        async insert(inputs) {
          await pool.query(sql.insertRows(inputs.length), inputs.flatMap(rowOf))
        },
      },
      {
        label: 'COPY FROM STDIN',
        async insert(inputs) {
          const text = inputs.map((input) => `${rowOf(input).map(copyField).join('\t')}\n`).join('')
          const client = await pool.connect()
          try {
            await pipeline(Readable.from([text]), client.query(copyFrom(copy)))
            client.release()
          } catch (error) {
            client.release(error as Error)
            throw error
          }
        },
      },
    ],
  }
}

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * A fresh schema `bench_<pid>` on {@link PG_URL}, dropped by `destroy()`. auditkit and the raw
 * driver each get a pool of 16 connections.
 */
export async function openPostgresBench(): Promise<EngineBench> {
  const schema = `bench_${process.pid}`
  try {
    await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
  } catch (error) {
    throw new Error(`cannot reach PostgreSQL at ${PG_URL} (set AUDITKIT_PG_URL): ${(error as Error).message}`)
  }
  const logs: AuditLog[] = []
  const openAudit = async () => {
    const log = await createAuditLog({ database: PG_URL, schema, table: TABLE, poolSize: POOL_SIZE })
    logs.push(log)
    return log
  }
  const pool = new pg.Pool({ connectionString: PG_URL, max: POOL_SIZE })
  pool.on('error', () => {})
  const dialect = postgresEngine({ schema, table: TABLE })
  let destroyed = false
  let seed: SeedSide | undefined
  const bench: EngineBench = {
    engine: 'postgres',
    table: dialect.table,
    raw: rawBaseline(pool, dialect.table),
    get seed() {
      if (seed === undefined) throw new Error('the seed table is made when the bench opens')
      return seed
    },
    dialect,
    inFlight: POOL_SIZE,
    openAudit,
    async analyze() {
      await pool.query(`VACUUM ANALYZE ${dialect.table}`)
      await pool.query('CHECKPOINT')
    },
    async describe() {
      const { rows } = await pool.query<{ name: string; setting: string; unit: string | null }>(
        'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name',
        [SETTINGS],
      )
      const version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v
      return {
        PostgreSQL: `${version} (pg ${packageVersion('pg')}, pg-copy-streams ${packageVersion('pg-copy-streams')}), pools of ${POOL_SIZE}`,
        'PostgreSQL settings': rows.map((r) => `${r.name}=${r.setting}${r.unit ? ` ${r.unit}` : ''}`).join(', '),
      }
    },
    async explain(text, params) {
      const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, params as unknown[])
      return rows.map((r) => String(r['QUERY PLAN'])).join('\n')
    },
    async destroy() {
      if (destroyed) return
      destroyed = true
      for (const log of logs) await log.close().catch(() => {})
      await pool.end().catch(() => {})
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
    },
  }
  try {
    await (await openAudit()).close()
    seed = await openPostgresSeed(pool, schema, dialect.table)
  } catch (error) {
    await bench.destroy().catch(() => {})
    throw error
  }
  return bench
}
