import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, test } from 'vitest'
import { createAuditLog, type Entry, generateKeyPair, StoreError, verifyEntryInclusion } from '../src/index.js'
import { countSql, findSql, listSql } from '../src/store/entry-sql.js'
import { epochTextMs } from '../src/store/entry-values.js'
import { postgresEngine } from '../src/store/postgres/postgres-engine.js'
import { PgClientExecutor } from '../src/store/postgres/postgres-executor.js'
import type { StoreFilters } from '../src/store/store.js'
import { PG_URL, postgresUnavailable, uniqueSchema } from './support/postgres.js'
import { writeFromProcess } from './support/processes.js'

const schema = uniqueSchema('auditkit_pg')
const pool = new pg.Pool({ connectionString: PG_URL, max: 4 })
const user = () => randomUUID()

const unavailable = await postgresUnavailable()
afterAll(async () => {
  if (!unavailable) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await pool.end()
})

const lockedInput = () => ({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_locked' as const })

/** A log with a signing key on `table` of this file's schema, sealing only when asked. */
async function signedLog(database: string | pg.Pool, table: string) {
  const keys = generateKeyPair()
  const audit = await createAuditLog({ database, schema, table, sealIntervalMs: 0, signingKey: keys.privateKey })
  return { audit, keys }
}

interface PlanNode {
  'Node Type': string
  'Index Name'?: string
  Plans?: PlanNode[]
}
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

// Skipped only where no server answers, never under CI=true (see postgresUnavailable).
describe.skipIf(unavailable !== undefined)(`PostgreSQL only${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  test('eachValue hands rows over as they arrive, in order; a failing onRow or statement rejects and the connection goes on', async () => {
    const client = await pool.connect()
    try {
      const executor = new PgClientExecutor(client)
      const series = 'SELECT g, md5(g::text) FROM generate_series(1, $1::int) g ORDER BY g'
      // The server pauses half a second halfway: the first half is handed over before it ends.
      const paused =
        'SELECT g, md5(g::text), CASE WHEN g = 10001 THEN pg_sleep(0.5)::text END FROM generate_series(1, 20000) g'
      const seen: unknown[][] = []
      let firstAt = 0
      const started = performance.now()
      const count = await executor.eachValue(paused, [], (row) => {
        if (seen.length === 0) firstAt = performance.now()
        seen.push(row)
      })
      expect(count).toBe(20_000)
      expect(performance.now() - firstAt).toBeGreaterThan(400)
      expect(firstAt - started).toBeLessThan(performance.now() - firstAt)
      expect(seen.map((r) => r[0])).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1))
      expect(seen[0]).toEqual([1, 'c4ca4238a0b923820dcc509a6f75849b', null])
      // onRow throws at the third row: the rest are dropped, the promise rejects with its error once
      // the statement is over, and the connection answers the next query.
      let calls = 0
      const broken = new Error('hashing failed')
      await expect(
        executor.eachValue(series, [5000], () => {
          if (++calls === 3) throw broken
        }),
      ).rejects.toBe(broken)
      expect(calls).toBe(3)
      expect(await executor.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
      // A statement that fails rejects with the server's error.
      await expect(executor.eachValue('SELECT 1 / $1::int', [0], () => {})).rejects.toMatchObject({ code: '22012' })
      expect(await executor.query('SELECT 2 AS two')).toEqual([{ two: 2 }])
    } finally {
      client.release()
    }
  })

  test("eachValue on a pool with pg's query_timeout: rows are handed over in order, and a failing statement still rejects", async () => {
    // pg answers through a callback of its own when query_timeout is set, and emits no 'error': a
    // streamed read would never settle, so the rows are read whole there.
    const timed = new pg.Pool({ connectionString: PG_URL, max: 1, query_timeout: 60_000 })
    const client = await timed.connect()
    try {
      const executor = new PgClientExecutor(client)
      const seen: unknown[] = []
      const count = await executor.eachValue('SELECT g FROM generate_series(1, 3000) g ORDER BY g', [], (row) => {
        seen.push(row[0])
      })
      expect(count).toBe(3000)
      expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1))
      await expect(executor.eachValue('SELECT 1 / $1::int', [0], () => {})).rejects.toMatchObject({ code: '22012' })
      const broken = new Error('hashing failed')
      await expect(
        executor.eachValue('SELECT 1', [], () => {
          throw broken
        }),
      ).rejects.toBe(broken)
      expect(await executor.query('SELECT 3 AS three')).toEqual([{ three: 3 }])
    } finally {
      client.release()
    }
    try {
      // The log seals on such a pool as on any other.
      const audit = await createAuditLog({ database: timed, schema, table: 'query_timeout', sealIntervalMs: 0 })
      try {
        await audit.createLogEntries(Array.from({ length: 50 }, lockedInput))
        expect(await audit.seal()).toEqual({ sealed: 50, treeSize: 50 })
        expect((await audit.verify()).ok).toBe(true)
      } finally {
        await audit.close()
      }
    } finally {
      await timed.end()
    }
  }, 20_000)

  test('every query is served by an index; a user with entries in both roles is two index scans, not an OR', async () => {
    const table = 'plans'
    const audit = await createAuditLog({ database: PG_URL, schema, table })
    const hot = user()
    const rare = user()
    const actions = audit.actions
    for (let batch = 0; batch < 30; batch++) {
      await audit.createLogEntries(
        Array.from({ length: 1000 }, (_, i) => ({
          targetUserUuid: i % 3 === 0 ? hot : i === 7 ? rare : user(),
          adminUserUuid: i % 3 === 1 ? hot : user(),
          action: actions[i % actions.length]!,
        })),
      )
    }
    await pool.query(`VACUUM ANALYZE ${schema}.${table}`)
    const engine = postgresEngine({ schema, table })
    const some = (await audit.listLogs({ limit: 1, offset: 15_000 }))[0]!
    const after = { insertedAt: some.insertedAt, uuid: some.uuid }
    const filters: StoreFilters[] = [
      {},
      { actions: ['user_locked'] },
      { targetUserUuid: rare },
      { adminUserUuid: hot },
      { userUuid: hot },
      { userUuid: rare, actions: ['user_created'] },
      { actions: ['user_locked', 'user_deleted'], fromDate: new Date(Date.now() - 60_000), toDate: new Date() },
      { userUuid: hot, actions: ['user_locked', 'user_created'] },
    ]
    const queries = [
      ...filters.map((f) => listSql(engine, { filters: f, limit: 100, offset: 0 })),
      ...filters.map((f) => listSql(engine, { filters: f, limit: 100, offset: 0, after })),
      countSql(engine, { targetUserUuid: rare }),
      countSql(engine, { userUuid: rare }),
      findSql(engine, some.uuid),
    ]
    for (const { text, params } of queries) {
      const { rows } = await pool.query(`EXPLAIN (FORMAT JSON) ${text}`, params)
      const all = nodes(rows[0]['QUERY PLAN'][0].Plan)
      const types = all.map((n) => n['Node Type'])
      expect(types, text).not.toContain('Seq Scan')
      expect(types, text).not.toContain('BitmapOr')
      expect(
        all.some((n) => n['Index Name']?.startsWith(table)),
        text,
      ).toBe(true)
      if (text.includes('UNION ALL')) {
        // Each branch is an index scan that stops at the limit (for a user with a third of all
        // rows the planner may walk inserted_at_idx newest first instead: also bounded).
        const scans = all.filter((n) => n['Index Name'] !== undefined)
        expect(
          scans.length,
          `${text}\n${JSON.stringify(all.map((n) => [n['Node Type'], n['Index Name']]))}`,
        ).toBeGreaterThanOrEqual(2)
        expect(all.filter((n) => n['Node Type'] === 'Limit').length, text).toBeGreaterThanOrEqual(3)
      }
    }
    await audit.close()
  })

  test('the INSERT is prepared once per connection, unless preparedStatements is false', async () => {
    for (const preparedStatements of [true, false]) {
      const audit = await createAuditLog({ database: PG_URL, schema, table: 'prepared', preparedStatements })
      const client = await pool.connect()
      try {
        for (let i = 0; i < 3; i++) {
          await audit
            .using(client)
            .createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
        }
        await audit.using(client).createLogEntries([
          { targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' },
          { targetUserUuid: user(), adminUserUuid: user(), action: 'user_locked' },
        ])
        const { rows } = await client.query("SELECT name FROM pg_prepared_statements WHERE name LIKE 'auditkit_%'")
        expect(rows.length, `preparedStatements: ${preparedStatements}`).toBe(preparedStatements ? 2 : 0)
      } finally {
        client.release(true)
      }
      await audit.close()
    }
  })

  test('a read floors inserted_at to milliseconds as sealing does (dateAsMs), for any timestamp', async () => {
    const { rows } = await pool.query(`
      WITH ts AS (
        SELECT to_timestamp(0) + (random() * 2e10 - 1e10) * interval '1 second' + floor(random() * 1e6) * interval '1 microsecond' AS t FROM generate_series(1, 20000)
        UNION ALL SELECT to_timestamp(0) + (floor(random() * 4e12) - 2e12) * interval '1 millisecond' FROM generate_series(1, 20000)
        UNION ALL SELECT unnest(ARRAY['infinity'::timestamptz, '-infinity', '4713-01-01 00:00:00+00 BC', '294276-12-31 23:59:59.999999+00',
          '1969-12-31 23:59:59.9995+00', '1969-12-31 23:59:59.999999+00', '1970-01-01 00:00:00+00', '1833-01-28 10:17:41.842999+00'])
      )
      SELECT extract(epoch from t) AS text, floor(extract(epoch from t) * 1000)::float8 AS ms FROM ts`)
    expect(rows.length).toBe(40_008)
    for (const { text, ms } of rows) expect(epochTextMs(text), text).toBe(ms)
  })

  test("an app's global pg type parsers change nothing auditkit reads", async () => {
    const asText = (text: string) => text
    const parsers: [number, (text: string) => unknown][] = [
      [1700, parseFloat], // numeric, as node-postgres suggests
      [20, BigInt], // int8
      [16, asText], // bool
      [21, asText], // int2
      [23, asText], // int4
      [701, asText], // float8
      [1184, asText], // timestamptz
      [17, asText], // bytea
    ]
    const saved = parsers.map(([oid]) => pg.types.getTypeParser(oid))
    for (const [oid, parse] of parsers) pg.types.setTypeParser(oid, parse)
    try {
      const { audit, keys } = await signedLog(PG_URL, 'type_parsers')
      const made = await audit.createLogEntries(Array.from({ length: 20 }, lockedInput))
      await audit.seal()
      const times = new Map(made.map((e) => [e.uuid, e.insertedAt.getTime()]))
      for (const e of await audit.listLogs({ offset: 3 })) expect(e.insertedAt.getTime()).toBe(times.get(e.uuid))
      const one = await audit.getLog(made[4]?.uuid as string)
      expect(one).toEqual({ ...made[4], seq: 4 })
      expect((await audit.pageLogs({ limit: 5 })).entries.map((e) => e.seq)).toEqual([19, 18, 17, 16, 15])
      expect(await audit.countLogs()).toBe(20)
      const checkpoint = await audit.checkpoint()
      expect(checkpoint.treeSize).toBe(20)
      expect(Math.abs(checkpoint.createdAt.getTime() - Date.now())).toBeLessThan(60_000)
      const proof = await audit.proveInclusion(one.uuid)
      expect(proof.leafIndex).toBe(4)
      const origin = { origin: audit.origin }
      expect((await verifyEntryInclusion(one, proof, checkpoint.note, keys.publicKey, origin)).ok).toBe(true)
      expect(await audit.verify()).toMatchObject({ ok: true, entries: 20, treeSize: 20 })
      expect(await audit.sealLag()).toEqual({ entries: 0, seconds: 0 })
      await audit.close()
    } finally {
      for (const [i, [oid]] of parsers.entries()) pg.types.setTypeParser(oid, saved[i] as (text: string) => unknown)
    }
  })

  test('connections in another DateStyle, bytea_output and time zone read every time and hash alike', async () => {
    const styled = new pg.Pool({
      connectionString: PG_URL,
      max: 2,
      options: '-c DateStyle=SQL,DMY -c bytea_output=escape -c TimeZone=Asia/Kolkata',
    })
    try {
      const { audit, keys } = await signedLog(styled, 'styled')
      const before = Date.now()
      const made = await audit.createLogEntries(Array.from({ length: 5 }, lockedInput))
      await audit.seal()
      expect(await audit.getLog(made[2]?.uuid as string)).toEqual({ ...made[2], seq: 2 })
      const near = (date: Date | null | undefined) => {
        expect(date?.getTime()).toBeGreaterThanOrEqual(before - 1000)
        expect(date?.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
      }
      const checkpoint = await audit.checkpoint()
      near(checkpoint.createdAt)
      near((await audit.latestCheckpoint())?.createdAt)
      const proof = await audit.proveInclusion(made[3]?.uuid as string)
      const origin = { origin: audit.origin }
      const included = await verifyEntryInclusion(made[3] as Entry, proof, checkpoint.note, keys.publicKey, origin)
      expect(included.ok).toBe(true)
      const key = await audit.createApiKey({ name: 'styled', scopes: ['read'] })
      expect(await audit.verifyApiKey(key.key)).not.toBeNull()
      await audit.revokeApiKey(key.id)
      const [listed] = await audit.listApiKeys()
      near(listed?.createdAt)
      near(listed?.lastUsedAt)
      near(listed?.revokedAt)
      const once = [lockedInput()]
      const first = await audit.createLogEntriesOnce('styled-key', once)
      const again = await audit.createLogEntriesOnce('styled-key', once)
      expect(again).toMatchObject({ replayed: true, entries: first.entries })
      await audit.seal()
      expect(await audit.verify()).toMatchObject({ ok: true, entries: 6, treeSize: 6 })
      await audit.close()
    } finally {
      await styled.end()
    }
  })

  test('the common reads are prepared once per connection of the pool, unless preparedStatements is false', async () => {
    for (const preparedStatements of [true, false]) {
      const single = new pg.Pool({ connectionString: PG_URL, max: 1 })
      const audit = await createAuditLog({ database: single, schema, table: 'prepared_reads', preparedStatements })
      const entry = await audit.createLogEntry({
        targetUserUuid: user(),
        adminUserUuid: user(),
        action: 'user_created',
      })
      for (let i = 0; i < 3; i++) {
        expect((await audit.listLogs())[0]?.uuid).not.toBe(undefined)
        expect((await audit.listLogsForUser(entry.targetUserUuid)).map((e) => e.uuid)).toContain(entry.uuid)
        expect((await audit.getLog(entry.uuid)).uuid).toBe(entry.uuid)
        expect(await audit.countLogs({ targetUserUuid: entry.targetUserUuid })).toBe(1)
      }
      const { rows } = await single.query("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'auditkit_%'")
      const reads = rows.filter((r: { statement: string }) => r.statement.startsWith('SELECT'))
      expect(reads.length, `preparedStatements: ${preparedStatements}`).toBe(preparedStatements ? 4 : 0)
      await audit.close()
      await single.end()
    }
  })

  test('rows skipped by an offset are never converted: metadata becomes text above the Limit', async () => {
    const engine = postgresEngine({ schema, table: 'plans' })
    for (const filters of [{}, { userUuid: user() }]) {
      const { text, params } = listSql(engine, { filters, limit: 100, offset: 5000 })
      const { rows } = await pool.query(`EXPLAIN (VERBOSE, FORMAT JSON) ${text}`, params)
      const scans = nodes(rows[0]['QUERY PLAN'][0].Plan).filter((n) =>
        /^(Index|Index Only|Seq|Bitmap Heap) Scan$/.test(n['Node Type']),
      )
      expect(scans.length).toBeGreaterThan(0)
      for (const scan of scans)
        expect(JSON.stringify((scan as { Output?: unknown }).Output ?? [])).not.toContain('::text')
    }
  })

  test('plain UPDATE, DELETE and TRUNCATE of entries are refused: the log is append-only', async () => {
    const audit = await createAuditLog({ database: PG_URL, schema, table: 'append_only' })
    const entry = await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
    const t = `${schema}.append_only`
    for (const [sql, op] of [
      [`UPDATE ${t} SET action = 'user_deleted'`, 'UPDATE'],
      [`UPDATE ${t} SET metadata = '{}'::jsonb WHERE uuid = '${entry.uuid}'`, 'UPDATE'],
      [`DELETE FROM ${t}`, 'DELETE'],
      [`TRUNCATE ${t}`, 'TRUNCATE'],
    ] as const) {
      const error = await pool.query(sql).catch((e: unknown) => e)
      expect((error as Error).message, sql).toBe(`auditkit: the audit log is append-only: ${op} of entries is refused`)
    }
    expect(await audit.getLog(entry.uuid)).toEqual(entry)
    await audit.close()
  })

  test('two processes writing one table at once lose nothing', async () => {
    const admin = user()
    const audit = await createAuditLog({ database: PG_URL, schema, table: 'procs' })
    const [a, b] = await Promise.all([
      writeFromProcess(PG_URL, 'procs', schema, 150, admin),
      writeFromProcess(PG_URL, 'procs', schema, 150, admin),
    ])
    expect(new Set([...a, ...b]).size).toBe(300)
    expect(await audit.countLogs({ adminUserUuid: admin })).toBe(300)
    await audit.close()
  })

  test('several pools migrating a new table at once apply each migration once', async () => {
    const logs = await Promise.all(
      [1, 2, 3, 4].map(() => createAuditLog({ database: PG_URL, schema, table: 'race', poolSize: 2 })),
    )
    await Promise.all(
      logs.map((l) => l.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })),
    )
    expect(await logs[0]!.countLogs()).toBe(4)
    const { rows } = await pool.query(`SELECT version FROM ${schema}.race_migrations ORDER BY version`)
    expect(rows).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
      { version: 6 },
    ])
    await Promise.all(logs.map((l) => l.close()))
  })

  test('a pg.Pool passed in is used and stays open after close()', async () => {
    const mine = new pg.Pool({ connectionString: PG_URL, max: 2 })
    const audit = await createAuditLog({ database: mine, schema, table: 'mine' })
    await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
    await audit.close()
    expect((await mine.query(`SELECT count(*)::int AS n FROM ${schema}.mine`)).rows).toEqual([{ n: 1 }])
    await mine.end()
  })

  test('the table records the writing transaction id, ready for sealing', async () => {
    const audit = await createAuditLog({ database: PG_URL, schema, table: 'txids' })
    const client = await pool.connect()
    await client.query('BEGIN')
    const xid = (await client.query('SELECT pg_current_xact_id()::text AS x')).rows[0].x
    const entry = await audit
      .using(client)
      .createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
    await client.query('COMMIT')
    client.release()
    const { rows } = await pool.query(`SELECT tx_id::text AS x FROM ${schema}.txids WHERE uuid = $1`, [entry.uuid])
    expect(rows).toEqual([{ x: xid }])
    await audit.close()
  })

  test("a caller's Kysely CamelCasePlugin does not rewrite metadata keys", async () => {
    const { CamelCasePlugin, Kysely, PostgresDialect } = await import('kysely')
    const audit = await createAuditLog({ database: PG_URL, schema, table: 'camel' })
    const db = new Kysely({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
    const entry = await audit.createLogEntry({
      targetUserUuid: user(),
      adminUserUuid: user(),
      action: 'user_updated',
      metadata: { old_role: 'x', nested: { snake_key: 1 } },
    })
    const read = await db.transaction().execute((trx) => audit.using(trx).getLog(entry.uuid))
    expect(read).toEqual(entry)
    await audit.close()
  })

  test('a role with CREATE on its schema only (not on the database) can migrate', async () => {
    const role = `auditkit_role_${process.pid}`
    const roleSchema = `${schema}_r`
    await pool.query(`DROP ROLE IF EXISTS ${role}`)
    await pool.query(`CREATE ROLE ${role} LOGIN`)
    await pool.query(`CREATE SCHEMA ${roleSchema} AUTHORIZATION ${role}`)
    try {
      const url = PG_URL.replace(/\/\/[^@]*@/, `//${role}@`)
      const audit = await createAuditLog({ database: url, schema: roleSchema })
      await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
      await audit.close()
      const again = await createAuditLog({ database: url, schema: roleSchema })
      expect(await again.countLogs()).toBe(1)
      await again.close()
    } finally {
      await pool.query(`DROP SCHEMA ${roleSchema} CASCADE`)
      await pool.query(`DROP ROLE ${role}`)
    }
  })

  test('an unreachable server is a StoreError, not a raw driver error', async () => {
    const error = await createAuditLog({ database: 'postgres://postgres@127.0.0.1:1/test' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).operation).toBe('migrate')
    expect((error as StoreError).cause).toBeInstanceOf(Error)
  })

  test('with migrate: false, migrate() can run inside the caller transaction and roll back with it', async () => {
    const audit = await createAuditLog({ database: PG_URL, schema, table: 'manual', migrate: false })
    const client = await pool.connect()
    await client.query('BEGIN')
    await audit.using(client).migrate()
    await client.query('ROLLBACK')
    client.release()
    const exists = async () => (await pool.query('SELECT to_regclass($1) AS t', [`${schema}.manual`])).rows[0].t
    expect(await exists()).toBeNull()
    await audit.migrate()
    expect(await exists()).not.toBeNull()
    await audit.close()
  })

  test('an open older transaction does not hold back sealing of committed entries; its own entries are sealed once it commits', async () => {
    const audit = await createAuditLog({ database: PG_URL, schema, table: 'horizon', sealIntervalMs: 0 })
    const early = await pool.connect()
    try {
      await early.query('BEGIN')
      // The early transaction takes an xid now, then stays open while later ones commit.
      const late = await audit
        .using(early)
        .createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_locked' })
      const committed = await audit.createLogEntries(
        Array.from({ length: 20 }, () => ({
          targetUserUuid: user(),
          adminUserUuid: user(),
          action: 'user_created' as const,
        })),
      )
      expect(await audit.seal()).toEqual({ sealed: 20, treeSize: 20 })
      for (const entry of committed) expect((await audit.getLog(entry.uuid)).seq).not.toBeNull()
      expect((await audit.verify()).ok).toBe(true)
      await early.query('COMMIT')
      expect(await audit.seal()).toEqual({ sealed: 1, treeSize: 21 })
      expect((await audit.getLog(late.uuid)).seq).toBe(20)
      // The horizon then moves past every sealed transaction (other tests' short transactions may
      // hold the cluster-wide xmin back for a moment: retry briefly).
      const horizonPassed = async () => {
        await audit.seal()
        const { rows } = await pool.query(
          `SELECT (SELECT horizon FROM ${schema}.horizon_sealer) > (SELECT max(tx_id) FROM ${schema}.horizon) AS passed`,
        )
        return rows[0].passed === true
      }
      let passed = await horizonPassed()
      for (let i = 0; i < 100 && !passed; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        passed = await horizonPassed()
      }
      expect(passed).toBe(true)
      expect((await audit.verify()).ok).toBe(true)
    } finally {
      await early.query('ROLLBACK').catch(() => {})
      early.release()
      await audit.close()
    }
  })
})
