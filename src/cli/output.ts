import type { Entry } from '../index.js'

/** The output formats: a table for people, json (one document), jsonl (one entry per line), csv. */
export type Format = 'table' | 'json' | 'jsonl' | 'csv'

export const FORMATS: readonly Format[] = ['table', 'json', 'jsonl', 'csv']

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
