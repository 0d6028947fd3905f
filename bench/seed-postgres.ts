import type pg from 'pg'
import { SEED_COLUMNS, SEED_TABLE, type SeedSide, seedRowOf, seedSchema, seedSql } from './seed-design.js'

const now = (d: Date) => d

/**
 * The seed's design on PostgreSQL, in the bench's schema beside auditkit's table: native `uuid`
 * columns, `jsonb` metadata, the seed's five indexes, reached through the raw driver's pool.
 * Created empty before the fill, so that its indexes grow by inserts in time order.
 */
export async function openPostgresSeed(pool: pg.Pool, schema: string, auditkitTable: string): Promise<SeedSide> {
  const table = `"${schema}"."${SEED_TABLE}"`
  for (const statement of seedSchema('postgres', table, (suffix) => `"${SEED_TABLE}_${suffix}"`)) {
    await pool.query(statement)
  }
  const param = (n: number) => `$${n}`
  const sql = seedSql(table, param)
  const types = ['uuid', 'varchar', 'varchar', 'text', 'jsonb', 'timestamptz', 'uuid', 'uuid']
  const unnest =
    `INSERT INTO ${table} (${SEED_COLUMNS}) SELECT * FROM unnest(` +
    `${types.map((t, i) => `${param(i + 1)}::${t}[]`).join(', ')})`
  return {
    table,
    sql,
    prepare: (text) => async (params) => (await pool.query(text, params as unknown[])).rows,
    async insertOne(input) {
      await pool.query(sql.insert, seedRowOf(input, now))
    },
    bulkPaths: [
      {
        label: 'multi-row INSERT',
        async insert(inputs) {
          await pool.query(
            sql.insertRows(inputs.length),
            inputs.flatMap((i) => seedRowOf(i, now)),
          )
        },
      },
      {
        label: 'INSERT ... unnest',
        async insert(inputs) {
          const rows = inputs.map((i) => seedRowOf(i, now))
          await pool.query(
            unnest,
            types.map((_, column) => rows.map((row) => row[column])),
          )
        },
      },
    ],
    async copyFromAuditkit() {
      await pool.query(
        `INSERT INTO ${table} (${SEED_COLUMNS}) SELECT uuid, action, ip_address, user_agent, metadata, inserted_at, ` +
          `target_user_uuid::uuid, admin_user_uuid::uuid FROM ${auditkitTable} ORDER BY inserted_at, uuid`,
      )
    },
    async analyze() {
      await pool.query(`VACUUM ANALYZE ${table}`)
    },
    timeOf: (value) => (value instanceof Date ? value.getTime() : Date.parse(String(value))),
  }
}
