import type { EngineRun, Result, TamperRun } from './results.js'
import { ratio, seedRatio } from './results.js'
import type { TargetCheck } from './targets.js'

/** How to read a table's ratio column, printed above every table. */
export const RATIO_NOTE =
  'ratio = auditkit throughput / raw throughput, or raw latency / auditkit latency: above 1.00x auditkit is faster. ' +
  "Latency cells are p50 / p99. raw: the raw driver on auditkit's schema; seed: the raw driver on the seed's design " +
  "(PhoenixKit's schema and SQL), same entries, same run; vs seed: the ratio against it."

const HEADER = ['operation', 'auditkit', 'raw', 'ratio', 'seed', 'vs seed'] as const

function ms(n: number): string {
  if (n < 1) return n.toFixed(3)
  if (n < 10) return n.toFixed(2)
  if (n < 100) return n.toFixed(1)
  return n.toFixed(0)
}

function cells(r: Result): string[] {
  const f = r.figure
  if (f.kind === 'rate') {
    const n = (v: number) => Math.round(v).toLocaleString('en-US')
    const seed = f.seed === undefined ? ['', ''] : [n(f.seed), `${(seedRatio(f) as number).toFixed(2)}x`]
    return [r.label, n(f.auditkit), n(f.raw), `${ratio(f).toFixed(2)}x`, ...seed]
  }
  const pair = (l: { p50: number; p99: number }) => `${ms(l.p50)} / ${ms(l.p99)} ms`
  const both = (p50: number | undefined, p99: number | undefined) =>
    `${(p50 as number).toFixed(2)}x / ${(p99 as number).toFixed(2)}x`
  const seed = f.seed === undefined ? ['', ''] : [pair(f.seed), both(seedRatio(f, 'p50'), seedRatio(f, 'p99'))]
  return [r.label, pair(f.auditkit), pair(f.raw), both(ratio(f, 'p50'), ratio(f, 'p99')), ...seed]
}

/** The columns a table shows: the seed's two only when one of its results has a seed figure. */
function columnsOf(results: readonly Result[]): number {
  return results.some((r) => r.figure.seed !== undefined) ? HEADER.length : 4
}

function title(run: EngineRun): string {
  return `${run.engine}, ${run.rows.toLocaleString('en-US')} entries (run took ${Math.round(run.seconds)} s)`
}

function tamperTitle(t: TamperRun): string {
  return `tamper evidence, ${t.sealedEntries.toLocaleString('en-US')} sealed entries at the end (suite took ${Math.round(t.seconds)} s)`
}

/** A target's state as a table cell: met, missed, or n/a when the run is too small for it. */
export function status(c: TargetCheck, markdown: boolean): string {
  if (c.applicable === false) return markdown ? 'n/a' : 'n/a   '
  if (c.met) return markdown ? 'met' : 'met   '
  return markdown ? '**missed**' : 'MISSED'
}

function textTable(results: readonly Result[]): string[] {
  const n = columnsOf(results)
  const rows = [HEADER.slice(0, n), ...results.map((r) => cells(r).slice(0, n))]
  const widths = HEADER.slice(0, n).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)))
  return rows.map((row) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '),
  )
}

function markdownTable(results: readonly Result[]): string[] {
  const n = columnsOf(results)
  return [
    `| ${HEADER.slice(0, n).join(' | ')} |`,
    `|---|${'--:|'.repeat(n - 1)}`,
    ...results.map((r) => `| ${cells(r).slice(0, n).join(' | ')} |`),
  ]
}

/** The parts every report shares, as plain text: the machine, a run's heading and its targets. */
export const textParts = {
  machine: (machine: Record<string, string>) => Object.entries(machine).map(([k, v]) => `${k}: ${v}`),
  heading: (title: string, settings: Record<string, string>) => [
    '',
    `== ${title} ==`,
    ...Object.entries(settings).map(([k, v]) => `${k}: ${v}`),
  ],
  targets: (checks: readonly TargetCheck[] = []) => [
    '',
    'targets:',
    ...checks.map((c) => `  ${status(c, false)}  ${c.target}: ${c.measured} (${c.margin})`),
  ],
}

/** The same parts as Markdown. */
export const markdownParts = {
  machine: (machine: Record<string, string>) =>
    Object.entries(machine).map(([k, v]) => `- ${k}: ${k === 'Command' ? `\`${v}\`` : v}`),
  heading: (title: string, settings: Record<string, string>) => [
    '',
    `### ${title}`,
    '',
    ...Object.entries(settings).map(([k, v]) => `- ${k}: ${v}`),
  ],
  targets: (checks: readonly TargetCheck[] = []) => [
    '',
    '| target | measured | | margin |',
    '|---|---|---|---|',
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${status(c, true)} | ${c.margin} |`),
  ],
}

/** The run as plain text, for stdout. */
export function renderText(
  runs: readonly EngineRun[],
  machine: Record<string, string>,
  checks: Map<string, TargetCheck[]>,
): string {
  const out: string[] = textParts.machine(machine)
  for (const run of runs) {
    out.push(...textParts.heading(title(run), run.settings), RATIO_NOTE)
    if (run.results.length > 0) out.push('', ...textTable(run.results), '', ...run.notes.map((n) => `note: ${n}`))
    if (run.tamper !== undefined) {
      out.push('', `-- ${tamperTitle(run.tamper)} --`, '', ...textTable(run.tamper.results), '')
      out.push(...run.tamper.notes.map((n) => `note: ${n}`))
    }
    out.push(...textParts.targets(checks.get(run.engine)))
    for (const p of run.plans) out.push('', `plan of ${p.label}:`, p.text)
  }
  return out.join('\n')
}

/** The run as a Markdown section, for BENCHMARKS.md. */
export function renderMarkdown(
  runs: readonly EngineRun[],
  machine: Record<string, string>,
  checks: Map<string, TargetCheck[]>,
): string {
  const out: string[] = ['## Run', '', ...markdownParts.machine(machine)]
  for (const run of runs) {
    out.push(...markdownParts.heading(title(run), run.settings), '', RATIO_NOTE)
    if (run.results.length > 0) out.push('', ...markdownTable(run.results), '', ...run.notes.map((n) => `- ${n}`))
    if (run.tamper !== undefined) {
      out.push('', `#### ${tamperTitle(run.tamper)}`, '', ...markdownTable(run.tamper.results), '')
      out.push(...run.tamper.notes.map((n) => `- ${n}`))
    }
    out.push(...markdownParts.targets(checks.get(run.engine)))
    for (const p of run.plans) out.push('', `Plan of ${p.label}:`, '', '```', p.text, '```')
  }
  return `${out.join('\n')}\n`
}
