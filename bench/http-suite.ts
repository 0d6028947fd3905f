// `npm run bench -- --suite http`: the HTTP service (`auditkit serve`, built) in a child process,
// autocannon in this one, on a log of --rows sealed entries per engine: the first page and
// inclusion proofs under load, the JSON Lines export with the server's RSS, POST /v1/events beside
// the library's createLogEntry, and the live tail's lag under 1,000 writes a second.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { generateKeyPair } from '../src/index.js'
import type { BenchArgs, EngineName } from './args.js'
import { createPopulation, EntryGenerator } from './data.js'
import type { EngineBench } from './engine-bench.js'
import { fillTable } from './fill.js'
import { type ExportFigure, type LibraryExportFigure, measureExport, measureLibraryExport } from './http-export.js'
import { type LoadFigure, measureLoad } from './http-load.js'
import { buildCopy, logLocation, SEAL_INTERVAL_MS, type ServerChild, startServer } from './http-server.js'
import { measureTail, type TailFigure } from './http-tail.js'
import { compareWrites, type WriteComparison } from './http-writes.js'
import { tamperTarget } from './tamper-open.js'

/** autocannon's connections for the reads: one (latency alone) and a handful (the target's figure). */
export const READ_CONNECTIONS = [1, 4] as const
const READ_SECONDS = 5

/** One route under autocannon at one number of connections. */
export interface ReadFigure {
  readonly route: string
  readonly connections: number
  readonly figure: LoadFigure
}

/** One engine's run of the HTTP suite. */
export interface HttpRun {
  readonly engine: EngineName
  readonly rows: number
  readonly settings: Record<string, string>
  readonly fill: { readonly entriesPerSecond: number; readonly seconds: number; readonly sealSeconds: number }
  readonly reads: readonly ReadFigure[]
  readonly export: ExportFigure
  readonly libraryExport: LibraryExportFigure
  readonly writes: WriteComparison
  readonly tail: TailFigure
  readonly seconds: number
}

const n = (v: number) => Math.round(v).toLocaleString('en-US')

async function measureReads(
  server: ServerChild,
  readKey: string,
  uuids: readonly string[],
  say: (line: string) => void,
): Promise<ReadFigure[]> {
  const headers = { Authorization: `Bearer ${readKey}` }
  let next = 0
  const proofPath = () => `/v1/events/${uuids[next++ % uuids.length]}/proof`
  const routes = [
    { route: 'GET /v1/events (first page, 100 entries)', path: '/v1/events' },
    { route: 'GET /v1/events/{uuid}/proof', path: proofPath },
  ]
  const reads: ReadFigure[] = []
  for (const { route, path } of routes) {
    for (const connections of READ_CONNECTIONS) {
      const figure = await measureLoad(server, { connections, seconds: READ_SECONDS, path, headers })
      if (figure.failures > 0) throw new Error(`${route}: ${figure.failures} failed requests`)
      reads.push({ route, connections, figure })
      say(
        `${route}, ${connections} connections: ${n(figure.perSecond)}/s, p50 ${figure.latency.p50.toFixed(2)} ms, p99 ${figure.latency.p99.toFixed(2)} ms`,
      )
    }
  }
  return reads
}

/**
 * Fills the bench's table to --rows (createLogEntries, batches of 1000), seals it and signs a
 * checkpoint covering it all, then measures the server on it: reads and the export first (on
 * exactly --rows entries), then the writes, then the live tail.
 */
export async function measureHttp(bench: EngineBench, args: BenchArgs, say: (line: string) => void): Promise<HttpRun> {
  const started = performance.now()
  buildCopy() // before the fill: the build measured is the one there when the run began
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-bench-http-'))
  const logs = []
  try {
    const log = await logLocation(bench)
    const t = await tamperTarget(bench)
    const keys = generateKeyPair()
    const keyFile = join(dir, 'log.key')
    writeFileSync(keyFile, keys.privateKey, { mode: 0o600 })
    const setup = await t.open({ sealIntervalMs: 0, signingKey: keys.privateKey })
    logs.push(setup)
    const generator = new EntryGenerator(createPopulation(), args.rows, 6)
    const fill = await fillTable(setup, generator, args.rows, (done, rate) =>
      say(`fill ${n(done)}/${n(args.rows)} (${n(rate)} entries/s)`),
    )
    const sealStart = performance.now()
    const head = await setup.seal()
    const checkpoint = await setup.checkpoint()
    const sealSeconds = (performance.now() - sealStart) / 1000
    if (head.treeSize !== args.rows || checkpoint.treeSize !== args.rows) {
      throw new Error(`sealed ${head.treeSize} and signed ${checkpoint.treeSize}, not ${args.rows}`)
    }
    await bench.analyze()
    // The bench analyzes the entries table (SQLite: every table). This PostgreSQL runs with
    // autovacuum off; a deployment's would have analyzed the side tables after a million seals.
    // Unanalyzed, the planner gives the proofs' one-row seals lookup two parallel workers (about
    // 5 ms a query instead of 0.03 ms; see BENCHMARKS.md).
    if (bench.engine === 'postgres') {
      for (const table of [t.engine.sealsTable, t.engine.tiles, t.engine.sealer]) {
        await bench.raw.prepare(`ANALYZE ${table}`)([])
      }
    }
    say(`sealed and signed ${n(checkpoint.treeSize)} in ${sealSeconds.toFixed(1)} s`)
    const readKey = (await setup.createApiKey({ name: 'bench-read', scopes: ['read'] })).key
    const writeKey = (await setup.createApiKey({ name: 'bench-write', scopes: ['write'] })).key
    await setup.close({ seal: false })

    let server = await startServer(log, keyFile)
    let reads: ReadFigure[]
    let exported: ExportFigure
    try {
      reads = await measureReads(server, readKey, fill.sampleUuids, say)
      exported = await measureExport(server, { Authorization: `Bearer ${readKey}` })
      say(
        `export: ${n(exported.entries)} entries in ${exported.seconds.toFixed(1)} s, RSS ${exported.rss.startMb.toFixed(0)} -> peak ${exported.rss.peakMb.toFixed(0)} -> ${exported.rss.endMb.toFixed(0)} MB`,
      )
      if (exported.entries !== args.rows) throw new Error(`the export held ${exported.entries} lines, not ${args.rows}`)
    } finally {
      await server.stop()
    }
    const libraryExport = await measureLibraryExport(log)
    say(`library export (iterateLogs, own process): ${n(libraryExport.perSecond)} entries/s`)

    const writes = await compareWrites(log, keyFile, writeKey, generator.next(), say)

    const writer = await t.open({ sealIntervalMs: 0 })
    logs.push(writer)
    server = await startServer(log, keyFile)
    let tail: TailFigure
    try {
      tail = await measureTail(server, { Authorization: `Bearer ${readKey}` }, writer, generator.next())
    } finally {
      await server.stop()
    }
    say(
      `live tail: ${n(tail.delivered)}/${n(tail.written)} delivered, lag p50 ${n(tail.p50)} ms, p99 ${n(tail.p99)} ms`,
    )
    return {
      engine: bench.engine,
      rows: args.rows,
      settings: {
        ...(await bench.describe()),
        'HTTP server': `auditkit serve --seal-interval ${SEAL_INTERVAL_MS}, from a copy of dist/ taken at the start of the run${bench.engine === 'postgres' ? "; its pool and the library baseline's: the default 10 connections (the pools of 16 are the bench's own logs: fill, tail writer)" : ''}`,
      },
      fill: { entriesPerSecond: fill.entriesPerSecond, seconds: fill.seconds, sealSeconds },
      reads,
      export: exported,
      libraryExport,
      writes,
      tail,
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    for (const l of logs) await l.close({ seal: false }).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}
