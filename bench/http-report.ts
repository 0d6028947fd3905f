import { cpus } from 'node:os'
import { RSS_SAMPLE_MS } from './http-export.js'
import type { LoadFigure } from './http-load.js'
import { SEAL_INTERVAL_MS } from './http-server.js'
import type { HttpRun } from './http-suite.js'
import { TAIL_SECONDS, TAIL_WRITES_PER_SECOND } from './http-tail.js'
import { writeRatio } from './http-targets.js'
import { WRITE_CONNECTIONS, WRITE_SECONDS } from './http-writes.js'
import { markdownParts, textParts } from './report.js'
import type { TargetCheck } from './targets.js'

const n = (v: number) => Math.round(v).toLocaleString('en-US')
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0))
const cores = (v: number) => v.toFixed(2)
const pct = (v: number) => `${Math.round(v * 100)}%`

interface Table {
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
}

function title(run: HttpRun): string {
  return `${run.engine}, ${n(run.rows)} entries: the HTTP service (run took ${Math.round(run.seconds)} s)`
}

const LOAD_HEADER = [
  'p50 ms',
  'p99 ms',
  'CPU of its process (cores)',
  'its CPU µs per request',
  'autocannon CPU (cores)',
  'machine busy',
] as const

const perRequest = (processCores: number, perSecond: number) => n((processCores * 1e6) / perSecond)

function loadCells(f: LoadFigure): string[] {
  return [
    ms(f.latency.p50),
    ms(f.latency.p99),
    cores(f.serverCores),
    perRequest(f.serverCores, f.perSecond),
    cores(f.loadCores),
    pct(f.machineBusy),
  ]
}

function writesTable(run: HttpRun): Table {
  const { http, library } = run.writes
  return {
    header: ['writer', 'entries/s', ...LOAD_HEADER],
    rows: [
      ...http.map((f, i) => [
        `POST /v1/events, ${WRITE_CONNECTIONS} connections, round ${i + 1}${f.failures === 0 ? '' : ` (${n(f.failures)} FAILED)`}`,
        n(f.perSecond),
        ...loadCells(f),
      ]),
      ...library.map((f, i) => [
        `createLogEntry, ${WRITE_CONNECTIONS} in flight (own process), round ${i + 1}`,
        n(f.perSecond),
        ms(f.latency.p50),
        ms(f.latency.p99),
        cores(f.cores),
        perRequest(f.cores, f.perSecond),
        '-',
        pct(f.machineBusy),
      ]),
    ],
  }
}

function readsTable(run: HttpRun): Table {
  return {
    header: ['route', 'connections', 'requests/s', ...LOAD_HEADER],
    rows: run.reads.map((r) => [r.route, String(r.connections), n(r.figure.perSecond), ...loadCells(r.figure)]),
  }
}

function figures(run: HttpRun): [string, string][] {
  const e = run.export
  const t = run.tail
  const w = writeRatio(run)
  return [
    [
      'fill (createLogEntries, batches of 1000), then seal() and one signed checkpoint',
      `${n(run.fill.entriesPerSecond)} entries/s (${run.fill.seconds.toFixed(1)} s); sealed and signed in ${run.fill.sealSeconds.toFixed(1)} s`,
    ],
    [
      `POST /v1/events / createLogEntry (medians of ${run.writes.http.length} and ${run.writes.library.length} rounds of ${WRITE_SECONDS} s)`,
      `${w.ratio.toFixed(3)}x (${n(w.http)} / ${n(w.library)} entries/s)`,
    ],
    [
      'GET /v1/events/export (JSON Lines), read by one client as fast as it comes',
      `${n(e.entries)} entries, ${n(e.megabytes)} MB in ${e.seconds.toFixed(1)} s: ${n(e.perSecond)} entries/s; server CPU ${cores(e.serverCores)} cores`,
    ],
    [
      "the library's own export for comparison: bench/cli-child.mjs (iterateLogs, a JSON line per entry) to /dev/null, own process",
      `${n(run.libraryExport.perSecond)} entries/s (${run.libraryExport.seconds.toFixed(1)} s, process start included); HTTP / library ${(e.perSecond / run.libraryExport.perSecond).toFixed(2)}x`,
    ],
    [
      `server RSS during the export (every ${RSS_SAMPLE_MS} ms, ${e.rss.samples} samples)`,
      `${e.rss.startMb.toFixed(0)} MB before, peak ${e.rss.peakMb.toFixed(0)} MB, ${e.rss.endMb.toFixed(0)} MB after`,
    ],
    [
      `live tail lag, write to SSE delivery, ${n(TAIL_WRITES_PER_SECOND)} writes/s for ${TAIL_SECONDS} s`,
      `p50 ${n(t.p50)} ms, p99 ${n(t.p99)} ms, max ${n(t.max)} ms; ${n(t.delivered)}/${n(t.written)} delivered; writes at ${n(t.writesPerSecond)}/s; server CPU ${cores(t.serverCores)} cores` +
        (t.failedWrites === 0 ? '' : `; ${n(t.failedWrites)} writes FAILED (${t.firstFailure})`),
    ],
  ]
}

function notes(run: HttpRun): string[] {
  return [
    `The machine has ${cpus().length} cores: autocannon (this process), the server (\`node dist/cli/main.js serve\`, a child process)` +
      `${run.engine === 'postgres' ? ' and the PostgreSQL backends' : ''} share them, so the server never has them to itself; the CPU columns show who used what.`,
    `Writes: the library baseline is bench/http-child.mjs, a process of its own running createLogEntry with ${WRITE_CONNECTIONS} calls in flight on a log opened as serve opens it ` +
      `(migrate off, sealing every ${SEAL_INTERVAL_MS} ms${run.engine === 'postgres' ? ', the default pool of 10' : ''}), the same entry as the POST body. ` +
      `${run.writes.http.length + run.writes.library.length} rounds of ${WRITE_SECONDS} s in the order L H H L L H H L (ABBA twice), never at once; the server is stopped while the library runs. Each round has a 1 s warm-up off the record.`,
    `Reads: ${run.reads[0]?.figure.seconds.toFixed(0) ?? '?'} s per figure after a 1 s warm-up, on the log of exactly ${n(run.rows)} sealed entries; ` +
      'the proofs cycle through 1,000 entries spread over the log, all covered by the checkpoint signed after the fill (no signing while measured). ' +
      "Latencies are per response, from autocannon's response events (sub-millisecond), not its whole-millisecond histogram.",
    `Live tail: one client on GET /v1/events/stream; this process writes through the library into the same database (createLogEntry, paced to ${n(TAIL_WRITES_PER_SECOND)}/s), ` +
      `each entry with Date.now() in its metadata; the server seals every ${SEAL_INTERVAL_MS} ms and the tail polls every 250 ms.`,
    'The server writes its request log (pino, one JSON line per request) to /dev/null.',
    `After the fill: ${run.engine === 'postgres' ? 'VACUUM ANALYZE of the entries table, CHECKPOINT, and ANALYZE of the seals, tiles and sealer tables (autovacuum is off on this server)' : 'ANALYZE (every table) and a WAL checkpoint'}.`,
    ...(run.engine === 'sqlite'
      ? [
          "SQLite: better-sqlite3 is synchronous, so each createLogEntry (one INSERT, committed and synced on its own) blocks its process's event loop: " +
            "the library's rate is one over the INSERT's time, and the server's one over the INSERT's time plus the HTTP work of a request, which cannot overlap it.",
        ]
      : []),
  ]
}

function textTable(t: Table): string[] {
  const all = [t.header, ...t.rows]
  const widths = t.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all.map((row) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '),
  )
}

function markdownTable(t: Table): string[] {
  return [
    `| ${t.header.join(' | ')} |`,
    `|---|${'--:|'.repeat(t.header.length - 1)}`,
    ...t.rows.map((r) => `| ${r.join(' | ')} |`),
  ]
}

/** The HTTP runs as plain text, for stdout. */
export function renderHttpText(
  runs: readonly HttpRun[],
  machine: Record<string, string>,
  checks: Map<string, TargetCheck[]>,
): string {
  const out: string[] = textParts.machine(machine)
  for (const run of runs) {
    out.push(...textParts.heading(title(run), run.settings), '')
    const rows = figures(run)
    const width = Math.max(...rows.map(([k]) => k.length))
    for (const [k, v] of rows) out.push(`${k.padEnd(width)}  ${v}`)
    out.push('', ...textTable(writesTable(run)), '', ...textTable(readsTable(run)), '')
    out.push(...notes(run).map((note) => `note: ${note}`), ...textParts.targets(checks.get(run.engine)))
  }
  return out.join('\n')
}

/** The HTTP runs as Markdown, for BENCHMARKS.md. */
export function renderHttpMarkdown(
  runs: readonly HttpRun[],
  machine: Record<string, string>,
  checks: Map<string, TargetCheck[]>,
): string {
  const out: string[] = ['#### Run', '', ...markdownParts.machine(machine)]
  for (const run of runs) {
    out.push(...markdownParts.heading(title(run), run.settings).map((l) => (l.startsWith('### ') ? `#${l}` : l)))
    out.push('', '| | |', '|---|---|', ...figures(run).map(([k, v]) => `| ${k} | ${v} |`), '')
    out.push(...markdownTable(writesTable(run)), '', ...markdownTable(readsTable(run)), '')
    out.push(...notes(run).map((note) => `- ${note}`), ...markdownParts.targets(checks.get(run.engine)))
  }
  return `${out.join('\n')}\n`
}
