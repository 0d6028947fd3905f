import type { Entry } from '../index.js'
import { csvHeader, csvLine, entryJson, entryTable, type Format, jsonLine } from './output.js'

/**
 * Entries as one block of output: a table, JSON Lines, CSV (with its header), or a JSON array.
 * For a bounded number of entries (a page, a batch); `export` streams instead.
 */
export function renderEntries(entries: readonly Entry<string>[], format: Format): string {
  switch (format) {
    case 'table':
      return entryTable(entries)
    case 'jsonl':
      return entries.map(jsonLine).join('')
    case 'csv':
      return csvHeader() + entries.map(csvLine).join('')
    case 'json':
      return `${JSON.stringify(entries.map(entryJson), null, 2)}\n`
  }
}
