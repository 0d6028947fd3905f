// `npx tsx bench/viewer-bench.ts --entries 1000000`: the web viewer (issue 11) against a log of N
// sealed entries per engine, served by `auditkit serve` (the built binary, from a copy of dist/),
// in Chromium. Times, from navigation start, the `auditkit:rows` mark (the first page of 100 rows
// rendered) and `auditkit:verified` (every badge of the page settled), as the page itself records
// them with performance.mark; prints the bundle size from dist/viewer/size.json.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { type Browser, chromium } from 'playwright-core'
import { createAuditLog, generateKeyPair } from '../src/index.js'
import { CHROMIUM, CHROMIUM_LAUNCH } from '../test/support/chromium.js'
import type { EngineName } from './args.js'
import { createPopulation, EntryGenerator } from './data.js'
import { fillTable } from './fill.js'
import { buildCopy, type LogLocation, startServer } from './http-server.js'
import { describeMachine } from './machine.js'
import { PG_URL } from './postgres-bench.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const TABLE = 'auditkit_entries'
const PAGE_SIZE = 100
/** The issue's targets, in ms from navigation start. */
const TARGETS = { rows: 500, verified: 1500 } as const
/** The bundle budget of issue 11, gzipped. */
const BUNDLE_BUDGET = 150 * 1024
const USAGE = 'usage: npx tsx bench/viewer-bench.ts [--entries N] [--engine sqlite|postgres|all] [--runs R]'

interface Args {
  readonly entries: number
  readonly engines: readonly EngineName[]
  readonly runs: number
}

function parse(argv: readonly string[]): Args {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      entries: { type: 'string', default: '1000000' },
      engine: { type: 'string', default: 'all' },
      runs: { type: 'string', default: '5' },
    },
  })
  const entries = Number(values.entries.replace(/[_,]/g, ''))
  const runs = Number(values.runs)
  const engines: EngineName[] = values.engine === 'all' ? ['sqlite', 'postgres'] : [values.engine as EngineName]
  if (!Number.isSafeInteger(entries) || entries < PAGE_SIZE)
    throw new Error(`--entries: at least ${PAGE_SIZE}\n${USAGE}`)
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs: a positive integer\n${USAGE}`)
  if (!engines.every((e) => e === 'sqlite' || e === 'postgres'))
    throw new Error(`--engine: sqlite, postgres or all\n${USAGE}`)
  return { entries, engines, runs }
}

/** One page load's two marks, ms from navigation start. */
interface Visit {
  readonly rows: number
  readonly verified: number
  /** When each request of the load started and ended (Resource Timing), by path: where the time went. */
  readonly requests: Record<string, { readonly start: number; readonly end: number }>
}

/** The requests of a load shown in the breakdown, in the order the page makes them. */
const STEPS = ['/viewer/app.js', '/v1/log', '/v1/events', '/v1/log/proofs', '/v1/log/consistency', '/v1/events/count']

interface EngineRun {
  readonly engine: EngineName
  readonly fillSeconds: number
  readonly sealSeconds: number
  /** A fresh profile each time: no HTTP cache, no checkpoint seen before. */
  readonly first: readonly Visit[]
  /** The same profile again: the app from the cache, the history check from the checkpoint seen. */
  readonly again: readonly Visit[]
}

const say = (line: string) => process.stderr.write(`${line}\n`)
const ms = (v: number) => `${Math.round(v)} ms`
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

/** A new log of `entries` sealed entries, and its signed checkpoint; where it lives and a read key. */
async function fill(engine: EngineName, entries: number, dir: string, keyPem: string) {
  const schema = `bench_viewer_${process.pid}`
  const location: LogLocation =
    engine === 'sqlite'
      ? { database: `sqlite:${join(dir, 'viewer.db')}`, table: TABLE, schema: undefined }
      : { database: PG_URL, table: TABLE, schema }
  const audit = await createAuditLog({
    database: location.database,
    table: TABLE,
    ...(location.schema === undefined ? {} : { schema: location.schema }),
    signingKey: keyPem,
    sealIntervalMs: 0,
  })
  const filled = await fillTable(audit, new EntryGenerator(createPopulation(), entries), entries, (done, rate) =>
    say(`  ${engine}: ${done.toLocaleString('en-US')} entries (${Math.round(rate).toLocaleString('en-US')}/s)`),
  )
  const sealStart = performance.now()
  await audit.seal()
  await audit.checkpoint()
  const sealSeconds = (performance.now() - sealStart) / 1000
  await analyze(engine, location)
  const apiKey = (await audit.createApiKey({ name: 'viewer-bench', scopes: ['read'] })).key
  const verifierKey = audit.verifierKey as string
  await audit.close({ seal: false })
  const drop = async () => {
    if (engine !== 'postgres') return
    const client = new pg.Client({ connectionString: PG_URL })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  }
  return { location, apiKey, verifierKey, fillSeconds: filled.seconds, sealSeconds, drop }
}

/**
 * Gives the planner statistics after the fill, as a live database would have them: PostgreSQL's
 * autovacuum is off on the bench server (unanalyzed, the proofs' one-row seals lookup gets a
 * parallel plan, see bench --suite http), and SQLite analyzes only when asked.
 */
async function analyze(engine: EngineName, location: LogLocation): Promise<void> {
  if (engine === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(location.database.slice('sqlite:'.length))
    db.exec('ANALYZE')
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
    return
  }
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    const table = (suffix: string) => `"${location.schema}"."${TABLE}${suffix}"`
    await client.query(`VACUUM ANALYZE ${table('')}`)
    for (const side of ['_seals', '_tiles', '_sealer', '_checkpoints']) await client.query(`ANALYZE ${table(side)}`)
    await client.query('CHECKPOINT')
  } finally {
    await client.end()
  }
}

/**
 * Loads the viewer signed in and pinned (the key in sessionStorage and the pin in localStorage
 * before the app runs, as after a sign-in) and reads its two marks once every badge has settled.
 * Refuses a page whose rows did not all verify: a fast failure is not a figure.
 */
async function visit(page: import('playwright-core').Page, url: string): Promise<Visit> {
  await page.goto(`${url}/?limit=${PAGE_SIZE}`)
  await page.waitForFunction(() => performance.getEntriesByName('auditkit:verified').length > 0, undefined, {
    timeout: 120_000,
  })
  const states = await page.$$eval('tr[data-testid="row"] [data-testid="badge"]', (badges) =>
    badges.map((b) => b.getAttribute('data-state')),
  )
  if (states.length !== PAGE_SIZE || states.some((s) => s !== 'verified')) {
    throw new Error(`the page showed ${states.length} rows, badges ${[...new Set(states)].join(', ')}`)
  }
  return page.evaluate(() => {
    const requests: Record<string, { start: number; end: number }> = {}
    for (const r of performance.getEntriesByType('resource') as unknown as {
      name: string
      startTime: number
      responseEnd: number
    }[]) {
      const path = new URL(r.name).pathname
      requests[path] ??= { start: r.startTime, end: r.responseEnd }
    }
    return {
      rows: performance.getEntriesByName('auditkit:rows')[0]?.startTime ?? Number.NaN,
      verified: performance.getEntriesByName('auditkit:verified')[0]?.startTime ?? Number.NaN,
      requests,
    }
  })
}

async function measure(browser: Browser, url: string, apiKey: string, verifierKey: string, runs: number) {
  const first: Visit[] = []
  const again: Visit[] = []
  // The first round warms the server (JIT, page cache) and is not counted.
  for (let round = 0; round <= runs; round++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const pins = JSON.stringify({ [url]: { verifierKey, pinnedAt: new Date().toISOString() } })
    await context.addInitScript(
      ([key, pinned]) => {
        const g = globalThis as unknown as { sessionStorage: Storage; localStorage: Storage }
        g.sessionStorage.setItem('auditkit.key', key)
        if (g.localStorage.getItem('auditkit.pins') === null) g.localStorage.setItem('auditkit.pins', pinned)
      },
      [apiKey, pins] as const,
    )
    const a = await visit(await context.newPage(), url)
    const b = await visit(await context.newPage(), url)
    if (round > 0) {
      first.push(a)
      again.push(b)
    }
    await context.close()
  }
  return { first, again }
}

interface Storage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

function bundleLine(): string {
  const size = JSON.parse(readFileSync(join(ROOT, 'dist/viewer/size.json'), 'utf8')) as Record<string, number>
  const kb = (b: number | undefined) => `${((b ?? 0) / 1024).toFixed(1)} KB`
  return (
    `bundle: app.js ${kb(size.js)} (${kb(size.jsGzip)} gzipped), app.css ${kb(size.css)} (${kb(size.cssGzip)} gzipped), ` +
    `total ${kb(size.totalGzip)} gzipped of a ${kb(BUNDLE_BUDGET)} budget`
  )
}

function report(args: Args, runs: readonly EngineRun[]): string {
  const lines = [
    `| engine | entries | fill | seal + checkpoint | first visit: rows (median / max) | first visit: all badges | return visit: rows | return visit: all badges |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  const cell = (visits: readonly Visit[], key: 'rows' | 'verified') =>
    `${ms(median(visits.map((v) => v[key])))} / ${ms(Math.max(...visits.map((v) => v[key])))}`
  for (const r of runs) {
    lines.push(
      `| ${r.engine} | ${args.entries.toLocaleString('en-US')} | ${r.fillSeconds.toFixed(0)} s | ${r.sealSeconds.toFixed(1)} s | ` +
        `${cell(r.first, 'rows')} | ${cell(r.first, 'verified')} | ${cell(r.again, 'rows')} | ${cell(r.again, 'verified')} |`,
    )
  }
  lines.push('')
  for (const r of runs) {
    const all = [...r.first, ...r.again]
    const worst = (key: 'rows' | 'verified') => Math.max(...all.map((v) => v[key]))
    for (const [key, target] of Object.entries(TARGETS) as ['rows' | 'verified', number][]) {
      const met = worst(key) < target
      lines.push(
        `- ${met ? 'met   ' : 'MISSED'} ${r.engine}: ${key === 'rows' ? 'first 100 rows' : 'all 100 badges'} < ${target} ms (worst of ${all.length} loads: ${ms(worst(key))})`,
      )
    }
  }
  lines.push(
    '',
    'Where a first visit spends its time: each request from start to end, ms from navigation start (medians).',
    '',
  )
  lines.push(`| engine | ${STEPS.join(' | ')} |`, `| --- |${STEPS.map(() => ' ---: |').join('')}`)
  for (const r of runs) {
    const span = (path: string) => {
      const seen = r.first.map((v) => v.requests[path]).filter((t) => t !== undefined)
      if (seen.length === 0) return 'none'
      return `${Math.round(median(seen.map((t) => t.start)))}-${Math.round(median(seen.map((t) => t.end)))}`
    }
    lines.push(`| ${r.engine} | ${STEPS.map(span).join(' | ')} |`)
  }
  lines.push('', `- ${bundleLine()}`)
  return lines.join('\n')
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2))
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian's chromium package)`)
  if (!existsSync(join(ROOT, 'dist/viewer/index.html'))) throw new Error('dist/viewer/ is missing: run npm run build')
  buildCopy() // the server runs from a copy: a rebuild meanwhile changes nothing measured
  const machine = describeMachine(process.argv.slice(2))
  machine.Command = ['npx tsx bench/viewer-bench.ts', ...process.argv.slice(2)].join(' ')
  for (const [name, value] of Object.entries(machine)) say(`${name}: ${value}`)
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-viewer-bench-'))
  const browser = await chromium.launch({ ...CHROMIUM_LAUNCH })
  const runs: EngineRun[] = []
  try {
    for (const engine of args.engines) {
      const keyFile = join(dir, `${engine}.pem`)
      const { privateKey } = generateKeyPair()
      writeFileSync(keyFile, privateKey, { mode: 0o600 })
      say(`${engine}: filling ${args.entries.toLocaleString('en-US')} entries`)
      const log = await fill(engine, args.entries, dir, privateKey)
      try {
        const server = await startServer(log.location, keyFile)
        try {
          say(`${engine}: ${args.runs} visits, each on a fresh profile then again`)
          const figures = await measure(browser, server.url, log.apiKey, log.verifierKey, args.runs)
          runs.push({ engine, fillSeconds: log.fillSeconds, sealSeconds: log.sealSeconds, ...figures })
        } finally {
          await server.stop()
        }
      } finally {
        await log.drop()
      }
    }
  } finally {
    await browser.close()
    rmSync(dir, { recursive: true, force: true })
  }
  process.stdout.write(
    `${Object.entries(machine)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join('\n')}\n\n${report(args, runs)}\n`,
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
