import type { BacklogRun } from './backlog-suite.js'
import { markdownParts, textParts } from './report.js'
import type { TargetCheck } from './targets.js'

const n = (v: number) => Math.round(v).toLocaleString('en-US')

const RATIO_NOTE =
  'ratio = the rate over the last tenth of the backlog / the rate over its first tenth, both of the same seal() call: ' +
  'auditkit against itself. Below 1.00x sealing slows down as the backlog is worked off.'

function title(run: BacklogRun): string {
  return `${run.engine}, one seal() of a backlog of ${n(run.rows)} entries on a fresh, unanalyzed table (run took ${Math.round(run.seconds)} s)`
}

const TENTH_HEADERS = Array.from({ length: 10 }, (_, i) => `${i * 10}-${i * 10 + 10}%`)

/** The figures as label/value pairs, the same in text and Markdown. */
function figures(run: BacklogRun): [string, string][] {
  const c = run.curve
  return [
    [
      `createLogEntries, batches of 1000, into the empty table (fill)`,
      `${n(run.fill.entriesPerSecond)} entries/s (${run.fill.seconds.toFixed(1)} s)`,
    ],
    [
      `seal(), sealBatchSize default (${n(run.sealBatchSize)}), whole backlog`,
      `${n(run.seal.entriesPerSecond)} entries/s (${run.seal.seconds.toFixed(1)} s)`,
    ],
    ['rate over the first tenth (start)', `${n(c.start)} entries/s`],
    ['rate over the last tenth (end)', `${n(c.end)} entries/s`],
    ['end / start', `${c.ratio.toFixed(3)}x`],
    ['size samples during seal()', `${run.samples}, longest gap ${c.longestGapMs.toFixed(0)} ms`],
    ...(run.indexReadsPerEntry === undefined
      ? []
      : [
          [
            'index entries read during seal(), per entry sealed (pg_stat_user_indexes.idx_tup_read)',
            run.indexReadsPerEntry.join(', '),
          ] as [string, string],
        ]),
    [
      'verify() over the whole log',
      run.verify === undefined
        ? 'not run (--verify)'
        : `${run.verify.ok ? 'ok' : 'FAILED'}, ${n(run.verify.entries)} entries in ${run.verify.seconds.toFixed(1)} s (${n(run.verify.entries / run.verify.seconds)} entries/s)`,
    ],
  ]
}

/** The backlog runs as plain text, for stdout. */
export function renderBacklogText(
  runs: readonly BacklogRun[],
  machine: Record<string, string>,
  checks: Map<string, TargetCheck[]>,
): string {
  const out: string[] = textParts.machine(machine)
  for (const run of runs) {
    out.push(...textParts.heading(title(run), run.settings), RATIO_NOTE, '')
    const rows = figures(run)
    const width = Math.max(...rows.map(([k]) => k.length))
    for (const [k, v] of rows) out.push(`${k.padEnd(width)}  ${v}`)
    const cells = run.curve.tenths.map(n)
    const w = Math.max(...cells.map((c) => c.length), ...TENTH_HEADERS.map((h) => h.length))
    out.push('', 'entries/s over each tenth of the backlog:')
    out.push(`  ${TENTH_HEADERS.map((h) => h.padStart(w)).join('  ')}`)
    out.push(`  ${cells.map((c) => c.padStart(w)).join('  ')}`)
    out.push('')
    for (const line of run.statistics.before) out.push(`statistics before sealing: ${line}`)
    for (const line of run.statistics.after) out.push(`statistics after sealing: ${line}`)
    out.push(...run.notes.map((note) => `note: ${note}`), ...textParts.targets(checks.get(run.engine)))
  }
  return out.join('\n')
}

/** The backlog runs as a Markdown section, for BENCHMARKS.md. */
export function renderBacklogMarkdown(
  runs: readonly BacklogRun[],
  machine: Record<string, string>,
  checks: Map<string, TargetCheck[]>,
): string {
  const rows = runs[0]?.rows ?? 0
  const out: string[] = [
    `## Recorded run: sealing a backlog of ${n(rows)} entries`,
    '',
    ...markdownParts.machine(machine),
  ]
  for (const run of runs) {
    out.push(...markdownParts.heading(title(run), run.settings), '', RATIO_NOTE, '', '| | |', '|---|--:|')
    for (const [k, v] of figures(run)) out.push(`| ${k} | ${v} |`)
    out.push(
      '',
      `| entries/s over each tenth | ${TENTH_HEADERS.join(' | ')} |`,
      `|---|${'--:|'.repeat(10)}`,
      `| seal() | ${run.curve.tenths.map(n).join(' | ')} |`,
      '',
    )
    for (const line of run.statistics.before) out.push(`- Statistics before sealing: ${line}`)
    for (const line of run.statistics.after) out.push(`- Statistics after sealing: ${line}`)
    out.push(...run.notes.map((note) => `- ${note}`), ...markdownParts.targets(checks.get(run.engine)))
  }
  return `${out.join('\n')}\n`
}
