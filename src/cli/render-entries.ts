import { type Entry, entryCsvHeader, entryCsvLine, entryJsonLine, entryJsonObject } from '../index.js'
import { entryTable, type Format } from './output.js'

/**
 * Entries as one block of output: a table, JSON Lines, CSV (with its header), or a JSON array.
 * For a bounded number of entries (a page, a batch); `export` streams instead.
 */
export function renderEntries(entries: readonly Entry<string>[], format: Format): string {
  switch (format) {
    case 'table':
      return entryTable(entries)
    case 'jsonl':
      return entries.map(entryJsonLine).join('')
    case 'csv':
      return entryCsvHeader() + entries.map(entryCsvLine).join('')
    case 'json':
      return `${JSON.stringify(entries.map(entryJsonObject), null, 2)}\n`
  }
}
