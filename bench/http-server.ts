// The server side of `--suite http`: `auditkit serve` (the built binary) in a child process of its
// own, and what /proc says about it and about the machine while the load runs.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EngineBench } from './engine-bench.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
/** The seal interval the server runs with (serve's default), and the library baseline too. */
export const SEAL_INTERVAL_MS = 250
const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 60_000
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100

/** The copy of the build this run measures: the server's binary and the library child, on the same dist/. */
export interface BuildCopy {
  readonly serveBin: string
  readonly libraryChild: string
  /** The CLI suite's library child: `export jsonl ...` is iterateLogs writing JSON Lines, in a process of its own. */
  readonly exportChild: string
}

let copy: BuildCopy | undefined

/**
 * Copies dist/ (with package.json, and node_modules linked) to a temporary directory once per run,
 * so that a rebuild in the working tree while the run goes on changes nothing under measurement;
 * the library children (bench/http-child.mjs, bench/cli-child.mjs) are copied beside it and import the same dist/.
 */
export function buildCopy(): BuildCopy {
  if (copy !== undefined) return copy
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-bench-build-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
  cpSync(join(ROOT, 'bench/http-child.mjs'), join(dir, 'bench/http-child.mjs'))
  cpSync(join(ROOT, 'bench/cli-child.mjs'), join(dir, 'bench/cli-child.mjs'))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  // A copy taken while someone rebuilt would not load: better to stop here than in the middle of a run.
  const load = `await import(${JSON.stringify(join(dir, 'dist/index.js'))}); await import(${JSON.stringify(join(dir, 'dist/http.js'))})`
  execFileSync(process.execPath, ['--input-type=module', '-e', load], { stdio: ['ignore', 'ignore', 'inherit'] })
  copy = {
    serveBin: join(dir, 'dist/cli/main.js'),
    libraryChild: join(dir, 'bench/http-child.mjs'),
    exportChild: join(dir, 'bench/cli-child.mjs'),
  }
  return copy
}

/** Where the bench's log lives, as `auditkit serve` and the library child take it. */
export interface LogLocation {
  readonly database: string
  readonly table: string
  readonly schema: string | undefined
}

/** The bench's table as a database URL, a table and a schema (the same log the bench's own logs open). */
export async function logLocation(bench: EngineBench): Promise<LogLocation> {
  const m = /^(?:"([A-Za-z0-9_]+)"\.)?"([A-Za-z0-9_]+)"$/.exec(bench.table)
  if (m === null) throw new Error(`cannot read the bench's table name ${bench.table}`)
  const table = m[2] as string
  if (bench.engine === 'postgres') {
    const { PG_URL } = await import('./postgres-bench.js')
    return { database: PG_URL, table, schema: m[1] }
  }
  const files = await bench.raw.prepare('PRAGMA database_list')([])
  const file = files.find((f) => f.name === 'main')?.file
  if (typeof file !== 'string' || file === '') throw new Error('cannot find the SQLite file of the bench')
  return { database: `sqlite:${file}`, table, schema: undefined }
}

/** A running `auditkit serve`. */
export interface ServerChild {
  readonly url: string
  readonly pid: number
  /** User + system CPU seconds the server process has used so far. */
  cpuSeconds(): number
  /** The server process's resident set size now, in MB. */
  rssMb(): number
  /** SIGTERM, then waits for the graceful stop (it seals and closes the log). */
  stop(): Promise<void>
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

function rssMbOf(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return Number(kb) / 1024
}

/** The machine's CPU counters (all cores), to tell how busy it was between two readings. */
export interface CpuCounters {
  readonly busy: number
  readonly total: number
}

export function machineCpu(): CpuCounters {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] as string
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((s, v) => s + v, 0)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
  return { busy: total - idle, total }
}

/** The share of all the machine's cores that was busy between two readings, 0..1. */
export function busyShare(from: CpuCounters, to: CpuCounters): number {
  return (to.busy - from.busy) / Math.max(1, to.total - from.total)
}

// A child still running when the bench exits (a failure, Ctrl-C) is killed with it.
const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * Starts `node dist/cli/main.js serve` (from {@link buildCopy}) on the log, on a free port, with the signing key file; its
 * request log (one JSON line per request on stdout) goes to /dev/null. Resolves once it listens.
 */
export async function startServer(
  log: LogLocation,
  keyFile: string,
  nodeFlags: readonly string[] = [],
): Promise<ServerChild> {
  const args = [
    ...nodeFlags,
    buildCopy().serveBin,
    'serve',
    '--database',
    log.database,
    '--table',
    log.table,
    '--port',
    '0',
  ]
  if (log.schema !== undefined) args.push('--schema', log.schema)
  args.push('--signing-key', keyFile, '--seal-interval', String(SEAL_INTERVAL_MS))
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AUDITKIT_DATABASE: undefined, AUDITKIT_SIGNING_KEY_FILE: undefined },
  })
  running.add(child)
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  exited.then(() => running.delete(child))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`auditkit serve did not listen within 30 s: ${stderr}`)),
      START_TIMEOUT_MS,
    )
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
      const m = /listening on (http:\/\/\S+)/.exec(stderr)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1] as string)
      }
    })
    exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`auditkit serve exited (${code}) before listening: ${stderr}`))
    })
  })
  const pid = child.pid as number
  return {
    url,
    pid,
    cpuSeconds: () => cpuSecondsOf(pid),
    rssMb: () => rssMbOf(pid),
    async stop() {
      if (child.exitCode !== null) throw new Error(`auditkit serve had exited (${child.exitCode}): ${stderr}`)
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      const code = await exited
      clearTimeout(timer)
      if (code !== 0) throw new Error(`auditkit serve stopped with ${code}: ${stderr}`)
      if (/failed/i.test(stderr)) throw new Error(`auditkit serve reported a failure: ${stderr}`)
    },
  }
}
