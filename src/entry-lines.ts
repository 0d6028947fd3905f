import type { Entry } from './entry.js'

// The line formats every shell writes (the CLI's output and export, the HTTP export): one
// implementation, so that a file from either is the same file, formula neutralisation included.

/**
 * An entry as a plain JSON object: every field, `insertedAt` as ISO-8601 UTC.
 *
 * @example
 * JSON.stringify(entryJsonObject(entry)) // {"uuid":"0190…","seq":3,"insertedAt":"2025-01-01T00:00:00.000Z",…}
 */
export function entryJsonObject(entry: Entry): Record<string, unknown> {
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

/**
 * The CSV columns, in order: the header {@link entryCsvHeader} writes and the cells of
 * {@link entryCsvLine}.
 *
 * @example
 * ENTRY_CSV_COLUMNS.indexOf('userAgent') // 7
 */
export const ENTRY_CSV_COLUMNS = [
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

/**
 * One CSV cell per RFC 4180 (quoted when it holds a quote, comma or line break), neutralised
 * against formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with
 * `'`. Objects are written as JSON; null and undefined as an empty cell.
 *
 * @example
 * entryCsvCell('=HYPERLINK("x")') // '"\'=HYPERLINK(""x"")"'
 * entryCsvCell({ a: 1 })          // '"{""a"":1}"'
 */
export function entryCsvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (!NEEDS_CARE.test(text)) return text
  if (FORMULA.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * The CSV header line (with CRLF, as RFC 4180 writes lines).
 *
 * @example
 * out.write(entryCsvHeader()) // 'uuid,seq,insertedAt,action,…,metadata\r\n'
 */
export function entryCsvHeader(): string {
  return `${ENTRY_CSV_COLUMNS.join(',')}\r\n`
}

/**
 * One entry as a CSV line (with CRLF), its cells in {@link ENTRY_CSV_COLUMNS} order, each as
 * {@link entryCsvCell} writes it.
 *
 * @example
 * out.write(entryCsvHeader())
 * for await (const entry of audit.iterateLogs()) out.write(entryCsvLine(entry))
 */
export function entryCsvLine(e: Entry): string {
  // The export's hot path: written out rather than mapped over the columns. The seq and the date
  // never need quoting or neutralising; every other cell may hold what raw SQL or a caller wrote.
  return (
    `${entryCsvCell(e.uuid)},${e.seq ?? ''},${e.insertedAt.toISOString()},${entryCsvCell(e.action)},` +
    `${entryCsvCell(e.adminUserUuid)},${entryCsvCell(e.targetUserUuid)},${entryCsvCell(e.ipAddress)},` +
    `${entryCsvCell(e.userAgent)},${entryCsvCell(e.metadata)}\r\n`
  )
}

/**
 * One entry as a JSON line (with LF): {@link entryJsonObject} stringified.
 *
 * @example
 * for await (const entry of audit.iterateLogs()) out.write(entryJsonLine(entry))
 */
export function entryJsonLine(entry: Entry): string {
  return `${JSON.stringify(entryJsonObject(entry))}\n`
}
