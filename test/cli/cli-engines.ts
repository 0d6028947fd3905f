import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AuditLog, createAuditLog } from '../../src/index.js'
import { dropSchema, PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'
import { BIN, type CliRun } from './cli-harness.js'

/** A log the CLI tests run against: the flags that reach it, and the library on the same tables. */
export interface CliDatabase {
  /** `--database ...` (and `--schema ...`) for the binary. */
  readonly args: readonly string[]
  /** The same log through the library (migrate: false; the test runs `auditkit migrate`). */
  open(): Promise<AuditLog<string>>
  /** Flags of a database of this engine that cannot be reached (exit 3). */
  readonly downArgs: readonly string[]
  /** A directory of its own for files the test writes. */
  readonly dir: string
  cleanup(): Promise<void>
}

/** One engine: why it cannot run here (undefined when it can; under CI=true PostgreSQL must), and how to set it up. */
export interface CliEngine {
  readonly name: string
  readonly unavailable: string | undefined
  setup(): Promise<CliDatabase>
}

const logOf = async (options: Parameters<typeof createAuditLog>[0]) =>
  (await createAuditLog({ ...options, migrate: false, sealIntervalMs: 0 })) as unknown as AuditLog<string>

function sqlite(): CliEngine {
  return {
    name: 'SQLite file',
    unavailable: undefined,
    async setup() {
      const dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-q-'))
      const database = `sqlite:${join(dir, 'audit.db')}`
      return {
        args: ['--database', database],
        open: () => logOf({ database }),
        downArgs: ['--database', `sqlite:${join(dir, 'missing', 'audit.db')}`],
        dir,
        async cleanup() {
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  }
}

function postgres(unavailable: string | undefined): CliEngine {
  return {
    name: 'PostgreSQL',
    unavailable,
    async setup() {
      const dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-q-'))
      const schema = uniqueSchema('auditkit_cli_q')
      return {
        args: ['--database', PG_URL, '--schema', schema],
        open: () => logOf({ database: PG_URL, schema }),
        downArgs: ['--database', 'postgres://postgres@127.0.0.1:1/test'],
        dir,
        async cleanup() {
          rmSync(dir, { recursive: true, force: true })
          await dropSchema(schema)
        },
      }
    },
  }
}

/** SQLite and PostgreSQL, for `describe.each`. */
export async function cliEngines(): Promise<CliEngine[]> {
  return [sqlite(), postgres(await postgresUnavailable())]
}

/** A binary still running: its output so far, a wait for a line on stderr, and its end. */
export interface RunningCli {
  readonly child: ReturnType<typeof spawn>
  /** Resolves to the first match of `pattern` on stderr (rejects after `timeoutMs`). */
  stderrMatch(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  readonly done: Promise<CliRun>
}

/** Starts `node dist/cli/main.js ...args` without waiting for it, for commands that run until stopped. */
export function startCli(args: readonly string[]): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, AUDITKIT_DATABASE: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(killer)
      resolve({ code, stdout, stderr })
    })
  })
  const stderrMatch = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stderr.match(pattern)
        if (match === null) return
        clearTimeout(timer)
        child.stderr.off('data', check)
        resolve(match)
      }
      const timer = setTimeout(() => {
        child.stderr.off('data', check)
        reject(new Error(`no ${pattern} on stderr after ${timeoutMs} ms; stderr: ${stderr}`))
      }, timeoutMs)
      child.stderr.on('data', check)
      check()
    })
  return { child, stderrMatch, done }
}
