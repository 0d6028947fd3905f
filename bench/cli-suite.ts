// `npm run bench -- --suite cli`: the auditkit binary beside the library doing the same work, each
// in a process of its own (wall time and peak RSS from /usr/bin/time), on one log per engine:
// export as JSON Lines and as CSV, and verify-export of the sealed export with no database.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { type AuditLog, createAuditLog, DEFAULT_ACTIONS, generateKeyPair } from '../src/index.js'
import type { BenchArgs, EngineName } from './args.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const PG_URL = process.env.AUDITKIT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const TABLE = 'bench_cli'
const ORIGIN = 'bench.example/cli'
const FILTER_ACTION = 'user_locked'

/** One measured process: how long it took, how much memory it peaked at, how many entries it handled. */
export interface ProcessFigure {
  readonly seconds: number
  readonly maxRssMb: number
  readonly entries: number
}

/** One operation, CLI beside library. */
export interface CliMeasure {
  readonly operation: string
  readonly cli: ProcessFigure
  readonly library: ProcessFigure
}

/** One engine's CLI run. */
export interface CliRun {
  readonly engine: EngineName
  readonly rows: number
  readonly measures: readonly CliMeasure[]
  /** The CLI's JSONL export of a filtered ~1/9 of the log, for the RSS-flatness check. */
  readonly small: ProcessFigure
}

interface Target {
  readonly database: string
  readonly schema: string | undefined
  destroy(): Promise<void>
}

async function openTarget(engine: EngineName, dir: string): Promise<Target> {
  if (engine === 'sqlite')
    return { database: `sqlite:${join(dir, 'cli.db')}`, schema: undefined, destroy: async () => {} }
  const schema = `bench_cli_${process.pid}`
  const drop = async () => {
    const client = new pg.Client({ connectionString: PG_URL })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  }
  await drop()
  return { database: PG_URL, schema, destroy: drop }
}

async function fill(audit: AuditLog, rows: number, log: (line: string) => void): Promise<void> {
  const admins = Array.from({ length: 50 }, () => crypto.randomUUID())
  for (let done = 0; done < rows; ) {
    const n = Math.min(10_000, rows - done)
    await audit.createLogEntries(
      Array.from({ length: n }, (_, i) => ({
        targetUserUuid: crypto.randomUUID(),
        adminUserUuid: admins[(done + i) % admins.length] as string,
        action: DEFAULT_ACTIONS[(done + i) % DEFAULT_ACTIONS.length] as (typeof DEFAULT_ACTIONS)[number],
        ipAddress: '203.0.113.7',
        userAgent: (done + i) % 97 === 0 ? '=HYPERLINK("http://x.example","y")' : 'Mozilla/5.0 (X11; Linux x86_64)',
        metadata: { ticket: done + i, reason: 'bench' },
      })),
    )
    done += n
    if (done % 200_000 === 0 || done === rows) log(`filled ${done.toLocaleString('en-US')}`)
  }
}

/** Runs `node ...args` under /usr/bin/time; its stdout's last line is the entries it handled. */
function measure(args: readonly string[], entries?: number): ProcessFigure {
  const timeFile = join(tmpdir(), `auditkit-time-${process.pid}`)
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, process.execPath, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, AUDITKIT_DATABASE: undefined },
    maxBuffer: 1 << 26,
  })
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed (${run.status}): ${run.stderr}`)
  const [seconds, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? []
  rmSync(timeFile, { force: true })
  const printed = Number(run.stdout.trim().split('\n').at(-1))
  return { seconds: seconds ?? Number.NaN, maxRssMb: (kb ?? 0) / 1024, entries: entries ?? printed }
}

function lineCount(file: string): number {
  return Number(execFileSync('wc', ['-l', file], { encoding: 'utf8' }).trim().split(' ')[0])
}

/** Measures one engine: fill, seal and sign a log, then each operation by the CLI and by the library. */
export async function measureCli(engine: EngineName, args: BenchArgs, log: (line: string) => void): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-bench-cli-'))
  const target = await openTarget(engine, dir)
  try {
    const keys = generateKeyPair()
    const keyFile = join(dir, 'log.key')
    const pubFile = join(dir, 'log.pub')
    writeFileSync(keyFile, keys.privateKey, { mode: 0o600 })
    writeFileSync(pubFile, keys.publicKey)
    const options = {
      database: target.database,
      table: TABLE,
      origin: ORIGIN,
      sealIntervalMs: 0,
      signingKey: keys.privateKey,
    }
    const audit = await createAuditLog(target.schema === undefined ? options : { ...options, schema: target.schema })
    await fill(audit, args.rows, log)
    await audit.seal()
    const cp = await audit.checkpoint()
    await audit.close()
    log(`sealed and signed ${cp.treeSize.toLocaleString('en-US')}`)
    const cpFile = join(dir, 'checkpoint.txt')
    writeFileSync(cpFile, cp.note)
    const connection = ['--database', target.database, '--table', TABLE, '--origin', ORIGIN]
    if (target.schema !== undefined) connection.push('--schema', target.schema)
    const schemaArg = target.schema ?? '-'
    const bin = join(ROOT, 'dist/cli/main.js')
    const child = join(ROOT, 'bench/cli-child.mjs')
    const out = (name: string) => join(dir, name)
    const measures: CliMeasure[] = []
    for (const format of ['jsonl', 'csv'] as const) {
      const library = measure([child, 'export', format, target.database, TABLE, schemaArg, out(`lib.${format}`)])
      const cliFile = out(`cli.${format}`)
      const cli = measure([bin, 'export', '--format', format, '-o', cliFile, ...connection], 0)
      const written = lineCount(cliFile) - (format === 'csv' ? 1 : 0)
      measures.push({ operation: `export --format ${format}`, cli: { ...cli, entries: written }, library })
      log(`export ${format}: cli ${cli.seconds} s, library ${library.seconds} s`)
    }
    const sealed = out('sealed.jsonl')
    execFileSync(process.execPath, [bin, 'export', '--sealed', '-o', sealed, ...connection], { cwd: ROOT })
    const libVerify = measure([child, 'verify-export', sealed, cpFile, pubFile])
    const cliVerify = measure(
      [bin, 'verify-export', sealed, '--checkpoint', cpFile, '--public-key', pubFile],
      cp.treeSize,
    )
    measures.push({ operation: 'verify-export (no database)', cli: cliVerify, library: libVerify })
    log(`verify-export: cli ${cliVerify.seconds} s, library ${libVerify.seconds} s`)
    const smallFile = out('small.jsonl')
    const small = measure(
      [bin, 'export', '--format', 'jsonl', '--action', FILTER_ACTION, '-o', smallFile, ...connection],
      0,
    )
    return { engine, rows: args.rows, measures, small: { ...small, entries: lineCount(smallFile) } }
  } finally {
    await target.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}

const rate = (f: ProcessFigure) => f.entries / f.seconds

/** The targets of issue 9: CLI >= 0.9x the library, export >= 100,000 entries/s on SQLite, RSS flat in the entries. */
export function cliTargets(run: CliRun): string[] {
  const lines: string[] = []
  for (const m of run.measures) {
    const ratio = rate(m.cli) / rate(m.library)
    lines.push(`${ratio >= 0.9 ? 'met   ' : 'MISSED'}  ${m.operation}: CLI ${ratio.toFixed(2)}x the library (>= 0.90x)`)
  }
  if (run.engine === 'sqlite') {
    for (const m of run.measures.filter((x) => x.operation.startsWith('export'))) {
      const r = rate(m.cli)
      lines.push(
        `${r >= 100_000 ? 'met   ' : 'MISSED'}  ${m.operation} >= 100,000 entries/s on SQLite: ${Math.round(r).toLocaleString('en-US')}`,
      )
    }
  }
  const full = run.measures[0]?.cli
  if (full !== undefined) {
    const growth = full.maxRssMb - run.small.maxRssMb
    lines.push(
      `${growth <= 50 ? 'met   ' : 'MISSED'}  peak RSS flat: export of ${full.entries.toLocaleString('en-US')} entries ${full.maxRssMb.toFixed(0)} MB vs ${run.small.entries.toLocaleString('en-US')} entries ${run.small.maxRssMb.toFixed(0)} MB (+${growth.toFixed(0)} MB, bound +50 MB)`,
    )
  }
  return lines
}

/** The runs as a Markdown section (also printed as text). */
export function renderCli(runs: readonly CliRun[], machine: Record<string, string>): string {
  const head = ['## Run', '', ...Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`), '']
  const body = runs.flatMap((run) => [
    `### ${run.engine}, ${run.rows.toLocaleString('en-US')} entries: the CLI beside the library`,
    '',
    '| operation | CLI entries/s | library entries/s | ratio | CLI peak RSS | library peak RSS |',
    '|---|--:|--:|--:|--:|--:|',
    ...run.measures.map(
      (m) =>
        `| ${m.operation} | ${Math.round(rate(m.cli)).toLocaleString('en-US')} | ${Math.round(rate(m.library)).toLocaleString('en-US')} | ${(rate(m.cli) / rate(m.library)).toFixed(2)}x | ${m.cli.maxRssMb.toFixed(0)} MB | ${m.library.maxRssMb.toFixed(0)} MB |`,
    ),
    '',
    `Export of the ${run.small.entries.toLocaleString('en-US')} \`${FILTER_ACTION}\` entries only: peak RSS ${run.small.maxRssMb.toFixed(0)} MB (${run.small.seconds} s).`,
    '',
    'Targets:',
    '',
    ...cliTargets(run).map((l) => `- ${l}`),
    '',
  ])
  return [...head, ...body].join('\n')
}
