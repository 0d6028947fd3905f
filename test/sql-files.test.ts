import { readdirSync, readFileSync } from 'node:fs'
import pg from 'pg'
import { afterAll, describe, expect, test } from 'vitest'
import { generate } from '../scripts/export-sql.js'
import { createAuditLog } from '../src/index.js'
import { PG_URL, postgresUnavailable, uniqueSchema } from './support/postgres.js'

const dir = new URL('../sql/postgres/', import.meta.url)
const pool = new pg.Pool({ connectionString: PG_URL, max: 1 })
const unavailable = await postgresUnavailable()
afterAll(() => pool.end())

describe('plain SQL files for PostgreSQL', () => {
  test('the committed files are exactly what the migrations generate', () => {
    const expected = generate()
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.sql'))
        .sort(),
    ).toEqual([...expected.keys()].sort())
    for (const [name, text] of expected) expect(readFileSync(new URL(name, dir), 'utf8'), name).toBe(text)
  })

  // Skipped only where no server answers, never under CI=true.
  test.skipIf(unavailable !== undefined)(
    `applied by hand (renamed with the documented sed), they give a log that migrate() sees as current${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    async () => {
      const schema = uniqueSchema('auditkit_sql')
      const client = await pool.connect()
      try {
        for (const [, text] of generate()) {
          const renamed = text.replaceAll('"public"', `"${schema}"`).replaceAll('auditkit_entries', 'by_hand')
          await client.query('BEGIN')
          await client.query(renamed)
          await client.query('COMMIT')
        }
        const audit = await createAuditLog({ database: PG_URL, schema, table: 'by_hand', migrate: false })
        await audit.createLogEntry({
          targetUserUuid: crypto.randomUUID(),
          adminUserUuid: crypto.randomUUID(),
          action: 'user_created',
        })
        await audit.migrate()
        expect(await audit.countLogs()).toBe(1)
        const { rows } = await client.query(`SELECT version FROM "${schema}".by_hand_migrations ORDER BY version`)
        expect(rows).toEqual([
          { version: 1 },
          { version: 2 },
          { version: 3 },
          { version: 4 },
          { version: 5 },
          { version: 6 },
        ])
        await audit.close()
      } finally {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        client.release()
      }
    },
  )
})
