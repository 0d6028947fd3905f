import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuditLog, migrationSql } from '../../src/index.js'
import { PG_URL, uniqueSchema } from '../support/postgres.js'
import { BIN, cli, ensureBuilt } from './cli-harness.js'

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version
let dir: string

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The command names `auditkit --help` lists. */
function commandsIn(help: string): string[] {
  const section = help.slice(help.indexOf('Commands:'))
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((c) => c !== 'help')
}

describe('the binary', () => {
  test('--version prints the package version, --help lists the commands; every command has --help', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n` })
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    const commands = commandsIn(help.stdout)
    expect(commands).toEqual(expect.arrayContaining(['migrate', 'sql']))
    for (const command of commands) {
      const own = await cli([command, '--help'])
      expect(own.code, command).toBe(0)
      expect(own.stdout, command).toContain(`Usage: auditkit ${command}`)
    }
  })

  test('usage errors: one line on stderr, exit 2, no stack trace unless --debug', async () => {
    const unknown = await cli(['no-such-command'])
    expect(unknown).toMatchObject({ code: 2, stdout: '' })
    expect(unknown.stderr).toMatch(/^auditkit: unknown command 'no-such-command'/)
    const option = await cli(['sql', '--no-such-option'])
    expect(option.code).toBe(2)
    expect(option.stderr).toMatch(/^auditkit: unknown option '--no-such-option'/)
    const engine = await cli(['sql', '--engine', 'oracle'])
    expect(engine).toMatchObject({ code: 2, stderr: 'auditkit: --engine must be sqlite or postgres\n' })
    const noDatabase = await cli(['migrate'])
    expect(noDatabase).toMatchObject({
      code: 2,
      stderr: 'auditkit: no database: pass --database <url> or set AUDITKIT_DATABASE\n',
    })
    const badTable = await cli(['sql', '--table', 'x; drop table y'])
    expect(badTable.code).toBe(2)
    expect(badTable.stderr).toMatch(/^auditkit: invalid input: table: /)
    expect(badTable.stderr).not.toMatch(/\n\s+at /)
    const debug = await cli(['--debug', 'sql', '--table', 'x; drop table y'])
    expect(debug.stderr).toMatch(/\n\s+at /)
  })

  test('a reader that goes away (| head) ends the output quietly, without a stack trace', async () => {
    // Far more than a pipe's buffer, so that the writer meets the closed pipe.
    const file = join(dir, 'piped.db')
    const audit = await createAuditLog({ database: `sqlite:${file}`, sealIntervalMs: 0 })
    const admin = crypto.randomUUID()
    await audit.createLogEntries(
      Array.from({ length: 3000 }, () => ({
        targetUserUuid: admin,
        adminUserUuid: admin,
        action: 'user_locked' as const,
      })),
    )
    await audit.close({ seal: false })
    const command = `"${process.execPath}" "${BIN}" list --limit 3000 --format jsonl --database "sqlite:${file}"`
    const piped = spawnSync('sh', ['-c', `${command} | head -c 20`], { encoding: 'utf8' })
    expect(piped.stdout).toHaveLength(20)
    expect(piped.stderr).toBe('')
  })

  test('a database that cannot be opened: exit 3', async () => {
    const missingDir = await cli(['migrate', '--database', `sqlite:${join(dir, 'missing', 'x.db')}`])
    expect(missingDir.code).toBe(3)
    expect(missingDir.stderr).toMatch(/^auditkit: open failed: /)
    const refused = await cli(['migrate', '--database', 'postgres://postgres@127.0.0.1:1/test'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/ECONNREFUSED/)
  })
})

describe('sql and migrate', () => {
  test('sql prints migrationSql(); on SQLite it creates a log that migrate then finds complete', async () => {
    const printed = await cli(['sql', '--engine', 'sqlite', '--table', 'admin_log'])
    expect(printed).toMatchObject({ code: 0, stdout: migrationSql({ engine: 'sqlite', table: 'admin_log' }) })
    const file = join(dir, 'by-hand.db')
    const db = new Database(file)
    db.exec(printed.stdout)
    db.close()
    const audit = await createAuditLog({
      database: `sqlite:${file}`,
      table: 'admin_log',
      migrate: false,
      sealIntervalMs: 0,
    })
    await audit.createLogEntry({
      targetUserUuid: crypto.randomUUID(),
      adminUserUuid: crypto.randomUUID(),
      action: 'user_locked',
    })
    await audit.seal()
    await audit.close()
    expect(await cli(['migrate', '--database', `sqlite:${file}`, '--table', 'admin_log'])).toMatchObject({ code: 0 })
    const versions = new Database(file).prepare('SELECT count(*) AS n FROM admin_log_migrations').get() as { n: number }
    expect(versions.n).toBeGreaterThanOrEqual(3)
    const pgSql = await cli(['sql', '--schema', 'audit'])
    expect(pgSql).toMatchObject({ code: 0, stdout: migrationSql({ engine: 'postgres', schema: 'audit' }) })
  })

  test('migrate creates the tables on an SQLite file and on PostgreSQL, and runs twice', async () => {
    const file = join(dir, 'migrated.db')
    for (let i = 0; i < 2; i++) {
      expect(await cli(['migrate', '--database', `sqlite:${file}`])).toMatchObject({
        code: 0,
        stderr: 'auditkit: migrated\n',
      })
    }
    const schema = uniqueSchema('cli_basics')
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 })
    try {
      for (let i = 0; i < 2; i++) {
        const run = await cli(['migrate', '--schema', schema], { env: { AUDITKIT_DATABASE: PG_URL } })
        expect(run, run.stderr).toMatchObject({ code: 0 })
      }
      const { rows } = await pool.query(
        'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      )
      expect(rows[0].n).toBeGreaterThanOrEqual(5)
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.end()
    }
  })
})
