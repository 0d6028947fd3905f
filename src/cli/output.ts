import type { Entry } from '../index.js'

/** The output formats: a table for people, json (one document), jsonl (one entry per line), csv. */
export type Format = 'table' | 'json' | 'jsonl' | 'csv'

export const FORMATS: readonly Format[] = ['table', 'json', 'jsonl', 'csv']

/** An entry as the CLI prints it: every field, `insertedAt` as ISO-8601 UTC. */
export function entryJson(entry: Entry<string>): Record<string, unknown> {
  return {
    uuid: entry.uuid,
    seq: entry.seq,
    insertedAt: entry.insertedAt.toISOString(),
    action: entry.action,
    adminUserUuid: entry.adminUserUuid,
    targetUserUuid: entry.targetUserUuid,
    ipAddress: entry.ipAddress,
    userAgent: entry.userAgent,
    metadata: entry.metadata,
  }
}

/** The CSV columns, in order. */
export const CSV_COLUMNS = [
  'uuid',
  'seq',
  'insertedAt',
  'action',
  'adminUserUuid',
  'targetUserUuid',
  'ipAddress',
  'userAgent',
  'metadata',
] as const

// A cell a spreadsheet would read as a formula (OWASP "CSV injection"): prefixed with a quote so
// that it is shown as text. Tab and carriage return start formulas in some spreadsheets too.
const FORMULA = /^[=+\-@\t\r]/

// Most cells need neither: one test of the common case, then the two rules.
const NEEDS_CARE = /^[=+\-@\t\r]|[",\r\n]/

/** One CSV cell per RFC 4180, neutralised against formula injection. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (!NEEDS_CARE.test(text)) return text
  if (FORMULA.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The CSV header line (with CRLF, as RFC 4180 writes lines). */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`
}

/** One entry as a CSV line (with CRLF), its cells in {@link CSV_COLUMNS} order. */
export function csvLine(e: Entry<string>): string {
  // The export's hot path: written out rather than mapped over the columns. The seq and the date
  // never need quoting or neutralising; every other cell may hold what raw SQL or a caller wrote.
  return (
    `${csvCell(e.uuid)},${e.seq ?? ''},${e.insertedAt.toISOString()},${csvCell(e.action)},${csvCell(e.adminUserUuid)},` +
    `${csvCell(e.targetUserUuid)},${csvCell(e.ipAddress)},${csvCell(e.userAgent)},${csvCell(e.metadata)}\r\n`
  )
}

/** One entry as a JSON line (with LF). */
export function jsonLine(entry: Entry<string>): string {
  return `${JSON.stringify(entryJson(entry))}\n`
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** Entries as a table for a terminal: one line each, long fields shortened. */
export function entryTable(entries: readonly Entry<string>[]): string {
  const rows = entries.map((e) => [
    e.uuid,
    e.insertedAt.toISOString(),
    e.seq === null ? '-' : String(e.seq),
    e.action,
    e.adminUserUuid,
    e.targetUserUuid,
    e.ipAddress ?? '',
    shorten(JSON.stringify(e.metadata), 40),
  ])
  const head = ['uuid', 'insertedAt', 'seq', 'action', 'admin', 'target', 'ip', 'metadata']
  return table(head, rows)
}

/** A plain text table: columns padded to their widest cell, control characters shown escaped. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const clean = (s: string) =>
    s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  const all = [head, ...rows].map((r) => r.map(clean))
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return `${all
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`
}
