import { type Entry, entryJsonObject } from '../index.js'
import { type CliIo, write } from './io.js'
import { type Format, table } from './output.js'

/** One entry as key/value lines for a terminal, every field in full (metadata as JSON). */
export function entryFields(entry: Entry<string>): string {
  const rows = Object.entries(entryJsonObject(entry)).map(([key, value]) => [
    key,
    value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value),
  ])
  return table(['field', 'value'], rows)
}

/** Prints one entry on stdout: key/value lines (`table`) or one JSON document (`json`). */
export function printEntry(io: CliIo, entry: Entry<string>, format: Format): Promise<void> {
  return write(
    io.stdout,
    format === 'json' ? `${JSON.stringify(entryJsonObject(entry), null, 2)}\n` : entryFields(entry),
  )
}
