import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { appendFile, chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

/** Options for {@link startPgServer}. */
export interface PgServerOptions {
  /** Directory holding initdb, pg_ctl and postgres; default: AUDITKIT_PG_BINDIR or the newest /usr/lib/postgresql/N/bin. */
  binDir?: string
  /** Extra postgresql.conf settings, written after (and so overriding) the defaults. */
  settings?: Record<string, string | number | boolean>
  /** How long start() waits for connections; default 30 s. */
  startTimeoutMs?: number
}

/** A private PostgreSQL cluster in a temp dir, on a free port, for crash and restart tests. */
export interface PgServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly url: string
  readonly port: number
  readonly dataDir: string
  readonly logFile: string
  /** `pg_ctl -m immediate stop`: no checkpoint, so the next start runs crash recovery. */
  crash(): Promise<void>
  /** Starts a stopped or crashed server; resolves once it accepts connections. */
  start(): Promise<void>
  /** Fast shutdown (a clean checkpoint); a no-op when already stopped. */
  stop(): Promise<void>
  /** Stops the server if it runs and removes its temp dir; idempotent, never throws for a stopped server. */
  destroy(): Promise<void>
  /** Runs one statement on a fresh connection and returns its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>
  /** The last lines of the server log. */
  logTail(lines?: number): Promise<string>
}

interface RunAs {
  uid: number
  gid: number
}

/** What cleanup needs to know about one cluster. */
interface Cluster {
  bin: string
  dataDir: string
  root: string
  runAs: RunAs | undefined
}

type Run = (tool: string, args: string[]) => Promise<string>

const PG_ROOT = '/usr/lib/postgresql'
const REQUIRED = ['initdb', 'pg_ctl', 'postgres']
/** pg_ctl status exits with 3 when no server runs in the data dir. */
const NOT_RUNNING = 3
const live = new Set<Cluster>()

/**
 * Why {@link startPgServer} cannot work here, or undefined when it can. Under CI=true a missing
 * PostgreSQL throws instead, so that the fault tests fail rather than skip.
 *
 * @example
 * const reason = await pgServerUnavailable()
 * describe.skipIf(reason)(`crash recovery${reason ? ` (skipped: ${reason})` : ''}`, () => { ... })
 */
export async function pgServerUnavailable(binDir?: string): Promise<string | undefined> {
  const reason = findUnavailability(binDir)
  if (reason && process.env.CI === 'true') throw new Error(`PostgreSQL binaries are required under CI=true: ${reason}`)
  return reason
}

/**
 * Creates a fresh cluster (initdb) in a temp dir, starts it on a free port and resolves once it
 * accepts connections. fsync stays on, so a crash test checks real durability. As root, every
 * PostgreSQL binary runs as the `postgres` OS user (initdb refuses root). It never touches the
 * machine's own server: its socket lives in the temp dir and it listens on 127.0.0.1 only.
 *
 * @example
 * const server = await startPgServer()
 * await server.query('CREATE TABLE t (n int)')
 * await server.crash()
 * await server.start()
 * await server.destroy()
 */
export async function startPgServer(options: PgServerOptions = {}): Promise<PgServer> {
  const bin = options.binDir ?? resolveBinDir()
  const reason = findUnavailability(bin)
  if (reason || !bin) throw new Error(`cannot start PostgreSQL: ${reason}`)
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined
  const root = await mkdtemp(join(tmpdir(), 'auditkit-pg-'))
  const dataDir = join(root, 'data')
  const logFile = join(root, 'postgres.log')
  const cluster: Cluster = { bin, dataDir, root, runAs }
  live.add(cluster)
  onExitCleanup()
  const run: Run = (tool, args) => runTool(join(bin, tool), args, root, runAs)
  let port = 0
  try {
    if (runAs) await chown(root, runAs.uid, runAs.gid)
    await run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'])
    await appendFile(join(dataDir, 'postgresql.conf'), configText(root, options.settings))
    // Another process may take the port between probing and binding; pick a new one and retry.
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      await appendFile(join(dataDir, 'postgresql.conf'), `port = ${port}\n`)
      const failure = await pgCtlStart(run, dataDir, logFile, options.startTimeoutMs).then(
        () => undefined,
        (error: unknown) => error,
      )
      if (!failure) break
      if (attempt >= 3 || !(await readTail(logFile)).includes('could not bind')) throw failure
    }
    await waitForConnections(urlFor(port), logFile, options.startTimeoutMs)
  } catch (error) {
    await destroyCluster(cluster)
    throw error
  }
  return createHandle(cluster, run, port, logFile, options)
}

function createHandle(cluster: Cluster, run: Run, port: number, logFile: string, options: PgServerOptions): PgServer {
  const { dataDir } = cluster
  const url = urlFor(port)
  const running = () => run('pg_ctl', ['status', '-D', dataDir]).then(() => true, notRunning)
  let destroyed: Promise<void> | undefined
  return {
    url,
    port,
    dataDir,
    logFile,
    async crash() {
      await run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-s'])
    },
    async start() {
      if (!(await running())) await pgCtlStart(run, dataDir, logFile, options.startTimeoutMs)
      await waitForConnections(url, logFile, options.startTimeoutMs)
    },
    async stop() {
      if (await running()) await run('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-s'])
    },
    destroy() {
      destroyed ??= destroyCluster(cluster)
      return destroyed
    },
    async query<R>(sql: string, params?: unknown[]) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
      client.on('error', () => {})
      try {
        await client.connect()
        return (await client.query(sql, params)).rows as R[]
      } finally {
        await client.end().catch(() => {})
      }
    },
    logTail: (lines) => readTail(logFile, lines),
  }
}

function findUnavailability(binDir = resolveBinDir()): string | undefined {
  if (!binDir) return `no PostgreSQL server binaries under ${PG_ROOT}/*/bin (set AUDITKIT_PG_BINDIR)`
  const missing = REQUIRED.filter((tool) => !existsSync(join(binDir, tool)))
  if (missing.length > 0) return `${missing.join(', ')} missing from ${binDir}`
  if (process.getuid?.() === 0 && !userExists('postgres')) return 'running as root but there is no postgres OS user'
  return undefined
}

/** The bin dir of the highest PostgreSQL version installed, Debian layout. */
function resolveBinDir(): string | undefined {
  if (process.env.AUDITKIT_PG_BINDIR) return process.env.AUDITKIT_PG_BINDIR
  if (!existsSync(PG_ROOT)) return undefined
  const versions = readdirSync(PG_ROOT)
    .filter((name) => /^\d+(\.\d+)?$/.test(name) && existsSync(join(PG_ROOT, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(PG_ROOT, versions[0], 'bin')
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function postgresUser(): RunAs {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

function configText(socketDir: string, settings: PgServerOptions['settings'] = {}): string {
  const all: Record<string, string | number | boolean> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    max_connections: 50,
    shared_buffers: '16MB',
    fsync: true,
    synchronous_commit: 'on',
    full_page_writes: true,
    logging_collector: false,
    ...settings,
  }
  const value = (v: string | number | boolean) =>
    typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)
  return `\n# auditkit test server\n${Object.entries(all)
    .map(([key, v]) => `${key} = ${value(v)}\n`)
    .join('')}`
}

/** Runs a PostgreSQL tool (as the postgres user when root) and resolves with its stdout. */
function runTool(file: string, args: string[], cwd: string, runAs: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: toolEnv(), timeout: 60_000, ...runAs }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout)
      const failure = new Error(`${file} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error })
      reject(Object.assign(failure, { exitCode: error.code }))
    })
  })
}

/** A small fixed environment: no inherited PGDATA or PGPORT, English messages. */
function toolEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' }
}

function notRunning(error: unknown): false {
  if ((error as { exitCode?: unknown }).exitCode === NOT_RUNNING) return false
  throw error
}

async function pgCtlStart(run: Run, dataDir: string, logFile: string, timeoutMs = 30_000): Promise<void> {
  const seconds = String(Math.ceil(timeoutMs / 1000))
  try {
    await run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', seconds, '-s'])
  } catch (error) {
    throw new Error(`PostgreSQL did not start: ${String(error)}\n--- ${logFile} ---\n${await readTail(logFile)}`, {
      cause: error,
    })
  }
}

async function waitForConnections(url: string, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (error) {
      if (Date.now() > deadline) {
        const tail = await readTail(logFile)
        throw new Error(`PostgreSQL at ${url} accepts no connections: ${String(error)}\n--- ${logFile} ---\n${tail}`)
      }
      await sleep(100)
    } finally {
      await client.end().catch(() => {})
    }
  }
}

async function readTail(file: string, lines = 30): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '(no log)')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

async function destroyCluster(cluster: Cluster): Promise<void> {
  live.delete(cluster)
  const { bin, dataDir, root, runAs } = cluster
  const stop = (mode: string) =>
    runTool(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', mode, '-w', '-s'], root, runAs)
  if (existsSync(join(dataDir, 'postmaster.pid'))) await stop('fast').catch(() => stop('immediate').catch(() => {}))
  await rm(root, { recursive: true, force: true })
}

let exitHookInstalled = false
/** A worker that dies without destroy() still stops its servers: pg_ctl detaches the postmaster. */
function onExitCleanup(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const { bin, dataDir, root, runAs } of live) {
      try {
        const args = ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-s']
        execFileSync(join(bin, 'pg_ctl'), args, {
          cwd: root,
          env: toolEnv(),
          stdio: 'ignore',
          timeout: 10_000,
          ...runAs,
        })
      } catch {}
      rmSync(root, { recursive: true, force: true })
    }
  })
}

function urlFor(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`
}

/** A TCP port the kernel just handed out, so very likely still free. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}
