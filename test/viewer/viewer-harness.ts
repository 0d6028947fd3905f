import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { type Browser, type BrowserContext, chromium } from 'playwright-core'
import { type AuditLog, createAuditLog, generateKeyPair } from '../../src/index.js'
import { BIN, ROOT } from '../cli/cli-harness.js'
import { CHROMIUM, CHROMIUM_LAUNCH, HAS_CHROMIUM } from '../support/chromium.js'
import { dropSchema, PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'

export { CHROMIUM, HAS_CHROMIUM }

// CI installs Chromium (.ci/run): there a missing browser is a failure, never a silent skip.
export const MUST_RUN = process.env.CI === 'true'
/** Where the tests leave their screenshots (gitignored). */
export const RESULTS_DIR = join(ROOT, 'test-results/viewer')
/** The entries table every viewer log uses, so that a rebuilt log has the same origin (`auditkit/<table>`). */
export const TABLE = 'auditkit_entries'

/** An Ed25519 key pair for a log, and its private half in a 0600 file for `auditkit serve --signing-key`. */
export interface SigningKey {
  readonly privateKey: string
  readonly file: string
}

/** A fresh signing key, its PEM written under `dir`. */
export function signingKeyIn(dir: string, name: string): SigningKey {
  const { privateKey } = generateKeyPair()
  const file = join(dir, `${name}.pem`)
  writeFileSync(file, privateKey, { mode: 0o600 })
  return { privateKey, file }
}

/** One log on one engine: the flags that reach it, the library on the same tables, and raw edits. */
export interface ViewerDatabase {
  /** `--database ...` (and `--schema ...`) for `auditkit serve`. */
  readonly args: readonly string[]
  /** The log through the library (migrating it), signing with `signingKey`, never sealing by itself. */
  open(signingKey: string): Promise<AuditLog<string>>
  /**
   * Sets one entry's metadata behind the library's back, with the append-only triggers out of the
   * way for that one statement, as someone with the database could.
   */
  tamper(uuid: string, metadataJson: string): Promise<void>
  cleanup(): Promise<void>
}

/** An engine the viewer is tested on: why it cannot run here (undefined when it can), and new logs on it. */
export interface ViewerEngine {
  readonly name: string
  /** The name in file names: `sqlite` or `postgres`. */
  readonly slug: string
  readonly unavailable: string | undefined
  /** A new, empty log (a file or a schema of its own); `dir` is for the test's files. */
  create(dir: string, name: string): ViewerDatabase
}

const open = async (options: { database: string; schema?: string }, signingKey: string) =>
  (await createAuditLog({ ...options, table: TABLE, signingKey, sealIntervalMs: 0 })) as unknown as AuditLog<string>

function sqliteEngine(): ViewerEngine {
  return {
    name: 'SQLite file',
    slug: 'sqlite',
    unavailable: undefined,
    create(dir, name) {
      const path = join(dir, `${name}.db`)
      const database = `sqlite:${path}`
      return {
        args: ['--database', database],
        open: (key) => open({ database }, key),
        async tamper(uuid, metadataJson) {
          const db = new Database(path, { timeout: 5000 })
          try {
            const trigger = `${TABLE}_no_update`
            const { sql } = db
              .prepare('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?')
              .get('trigger', trigger) as {
              sql: string
            }
            db.transaction(() => {
              db.exec(`DROP TRIGGER "${trigger}"`)
              db.prepare(`UPDATE "${TABLE}" SET metadata = ? WHERE uuid = ?`).run(metadataJson, uuid)
              db.exec(sql)
            })()
          } finally {
            db.close()
          }
        },
        async cleanup() {},
      }
    },
  }
}

function postgresEngine(unavailable: string | undefined): ViewerEngine {
  return {
    name: 'PostgreSQL',
    slug: 'postgres',
    unavailable,
    create(_dir, name) {
      const schema = uniqueSchema(`auditkit_viewer_${name}`)
      const table = `"${schema}"."${TABLE}"`
      return {
        args: ['--database', PG_URL, '--schema', schema],
        open: (key) => open({ database: PG_URL, schema }, key),
        async tamper(uuid, metadataJson) {
          const client = new pg.Client({ connectionString: PG_URL })
          await client.connect()
          try {
            await client.query('BEGIN')
            await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`)
            await client.query(`UPDATE ${table} SET metadata = $1::jsonb WHERE uuid = $2`, [metadataJson, uuid])
            await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`)
            await client.query('COMMIT')
          } catch (error) {
            await client.query('ROLLBACK')
            throw error
          } finally {
            await client.end()
          }
        },
        cleanup: () => dropSchema(schema),
      }
    },
  }
}

/** The SQLite file engine and PostgreSQL (unavailable locally without a server; under CI=true it must answer). */
export async function viewerEngine(name: 'sqlite' | 'postgres'): Promise<ViewerEngine> {
  return name === 'sqlite' ? sqliteEngine() : postgresEngine(await postgresUnavailable())
}

/** A directory of its own for one test file's databases, keys and downloads. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'auditkit-viewer-'))
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** A running `auditkit serve`: its origin and port, its output so far, and how to stop it. */
export interface ViewerServer {
  readonly url: string
  readonly port: number
  readonly child: ChildProcess
  stderr(): string
  /** Everything it wrote so far: the request log (stdout) and its messages (stderr). */
  output(): string
  /** SIGTERM, then the exit (SIGKILL after 10 s). */
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * Starts `auditkit serve` (the built binary) on a log with a signing key, sealing nothing itself
 * (`--seal-interval 0`: the test seals through the library, so that an unsealed row stays
 * unsealed), on `port` (0: any free one), and resolves once it listens.
 */
export function startServe(options: {
  readonly db: ViewerDatabase
  readonly keyFile: string
  readonly port?: number
}): Promise<ViewerServer> {
  const args = [
    BIN,
    'serve',
    '--port',
    String(options.port ?? 0),
    '--signing-key',
    options.keyFile,
    '--seal-interval',
    '0',
    '--checkpoint-interval',
    '0',
    ...options.db.args,
  ]
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, AUDITKIT_DATABASE: undefined, AUDITKIT_SIGNING_KEY_FILE: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stderr = ''
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
  })
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  void exited.then(() => running.delete(child))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`auditkit serve did not listen within 20 s: ${stderr}`)), 20_000)
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.on('error', fail)
    void exited.then(() => fail(new Error(`auditkit serve exited before listening: ${stderr}`)))
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      const match = stderr.match(/auditkit: listening on (http:\/\/[^:\s]+:(\d+))\n/)
      if (match === null) return
      clearTimeout(timer)
      resolve({
        url: match[1] as string,
        port: Number(match[2]),
        child,
        stderr: () => stderr,
        output: () => stdout + stderr,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
          child.kill('SIGTERM')
          await exited
          clearTimeout(killer)
        },
      })
    })
  })
}

/** Chromium as the CI image has it, headless, with a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ ...CHROMIUM_LAUNCH })
}

/** One request the browser made, as the tests check it: where it went and what it carried. */
export interface RecordedRequest {
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: string | null
}

/** Everything the browser did that a test may need to hold against the viewer. */
export interface BrowserRecord {
  readonly requests: RecordedRequest[]
  /** alert/confirm/prompt dialogs: a hostile field that ran as script would show here. */
  readonly dialogs: string[]
  readonly pageErrors: string[]
}

export function newRecord(): BrowserRecord {
  return { requests: [], dialogs: [], pageErrors: [] }
}

/**
 * A fresh context (its own storage, as a new browser profile would have) in a time zone away from
 * UTC, so that local and UTC times differ; every request, dialog and page error goes to `record`.
 */
export async function newViewerContext(
  browser: Browser,
  record: BrowserRecord,
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport,
    timezoneId: 'Asia/Kolkata',
    locale: 'en-GB',
    acceptDownloads: true,
  })
  context.on('request', (request) => {
    record.requests.push({
      url: request.url(),
      method: request.method(),
      headers: request.headers(),
      body: request.postData(),
    })
  })
  context.on('page', (page) => {
    page.on('dialog', (dialog) => {
      record.dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    page.on('pageerror', (error) => record.pageErrors.push(error.message))
  })
  return context
}

/** `RESULTS_DIR/<name>`, the directory made. */
export function resultPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  return join(RESULTS_DIR, name)
}
