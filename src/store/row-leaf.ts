import type { Entry } from '../entry.js'
import { storedEntryProblem } from '../schema/stored-entry.js'
import { canonicalJsonOfText, canonicalStringLenient as canonicalString } from '../tlog/canonical-json.js'
import { canonicalObjectTextOf } from '../tlog/canonical-text.js'
import { canonicalJsonOfParts, epochMsJson, nullable, type RowLeaf, rowLeaf } from '../tlog/entry-leaf.js'
import { sha256, sha256Text } from '../tlog/merkle-hash.js'
import { storedFieldsOf } from './entry-sql.js'
import type { Row } from './executor.js'

const isNullableText = (value: unknown): value is string | null | undefined =>
  value === null || value === undefined || typeof value === 'string'

/**
 * What the leaf of a row in the shape auditkit writes (text columns, metadata as the text of a
 * JSON object, the date as whole epoch milliseconds) hashes, built from the columns without
 * building the Entry: `entryLeafMessage(toEntry(row))`. Undefined for any other row, which then
 * takes {@link leafOfRow}'s general path.
 */
export function fastRowMessage(row: Row): string | undefined {
  return fastMessage(row.uuid, row.target, row.admin, row.action, row.ip, row.agent, row.metadata, row.at)
}

// Metadata as canonical JSON when it is a JSON object: its own text when that is canonical already
// (as auditkit mostly writes it on SQLite) or is but for jsonb's spaces (PostgreSQL), else parsed
// and written anew. Undefined for anything else: verify reports such a row as unreadable, which
// the general path works out.
function canonicalMetadata(text: string): string | undefined {
  const canonical = canonicalObjectTextOf(text)
  if (canonical !== undefined) return canonical
  const meta = canonicalJsonOfText(text)
  if (meta === undefined || typeof meta.value !== 'object' || meta.value === null || Array.isArray(meta.value)) {
    return undefined
  }
  return meta.json
}

function fastMessage(
  uuid: unknown,
  target: unknown,
  admin: unknown,
  action: unknown,
  ip: unknown,
  agent: unknown,
  metadata: unknown,
  at: unknown,
): string | undefined {
  if (typeof uuid !== 'string' || typeof target !== 'string' || typeof admin !== 'string') return undefined
  if (typeof action !== 'string' || !isNullableText(ip) || !isNullableText(agent)) return undefined
  if (typeof metadata !== 'string' || typeof at !== 'number') return undefined
  const insertedAt = epochMsJson(at)
  if (insertedAt === undefined) return undefined
  const meta = canonicalMetadata(metadata)
  if (meta === undefined) return undefined
  return `\u0000${canonicalJsonOfParts(
    canonicalString(action),
    canonicalString(admin),
    insertedAt,
    nullable(ip ?? null),
    meta,
    canonicalString(target),
    nullable(agent ?? null),
    canonicalString(uuid),
  )}`
}

/**
 * The leaf of a row in the shape auditkit writes ({@link fastRowMessage}), or undefined. The same
 * bytes as `entryLeafHash(toEntry(row))`: the hot path of sealing and verify.
 */
export function fastRowLeaf(row: Row): Buffer | undefined {
  const message = fastRowMessage(row)
  return message === undefined ? undefined : sha256(message)
}

/** The leaf of a row in auditkit's own shape: bytes made from its latin1 text, and its Entry, when first asked for. */
abstract class TextLeaf implements RowLeaf {
  readonly fallback = undefined
  readonly unreadable = undefined
  #leaf: Buffer | undefined
  #entry: Entry | undefined

  constructor(readonly leafText: string) {}

  get leaf(): Buffer {
    this.#leaf ??= Buffer.from(this.leafText, 'latin1')
    return this.#leaf
  }

  get entry(): Entry {
    this.#entry ??= this.read()
    return this.#entry
  }

  protected abstract read(): Entry
}

/** A row that {@link fastRowMessage} serves: its Entry is built only when asked for (an export). */
class ReadableRowLeaf extends TextLeaf {
  constructor(
    leafText: string,
    private readonly row: Row,
    private readonly toEntry: (row: Row) => Entry,
  ) {
    super(leafText)
  }

  protected read(): Entry {
    return this.toEntry(this.row)
  }
}

/** As {@link ReadableRowLeaf}, for a row read as values (see {@link leafOfValues}). */
class ReadableValuesLeaf extends TextLeaf {
  constructor(
    leafText: string,
    private readonly values: readonly unknown[],
    private readonly at: number,
    private readonly toEntry: (row: Row) => Entry,
  ) {
    super(leafText)
  }

  protected read(): Entry {
    return this.toEntry(rowOfValues(this.values, this.at))
  }
}

/**
 * The leaf of a row selected with `bulkColumns`, as sealing computes it and verify recomputes it.
 * With `check`, also whether the row has the shape an Entry documents (verify reports it when not).
 */
export function leafOfRow(toEntry: (row: Row) => Entry, row: Row, check = false): RowLeaf {
  const message = fastRowMessage(row)
  if (message !== undefined) return new ReadableRowLeaf(sha256Text(message), row, toEntry)
  return rowLeaf(
    () => toEntry(row),
    () => storedFieldsOf(row),
    check ? storedEntryProblem : undefined,
  )
}

/** Only the leaf of a row, as sealing needs it. */
export function leafHashOfRow(toEntry: (row: Row) => Entry, row: Row): Buffer {
  return fastRowLeaf(row) ?? leafOfRow(toEntry, row).leaf
}

/** The aliases of `bulkColumns`, in select order. */
const BULK_ALIASES = ['uuid', 'target', 'admin', 'action', 'ip', 'agent', 'metadata', 'at'] as const

/**
 * Only the leaf of a row read as an array of values, `bulkColumns` first (in their order), as a
 * latin1 string (`sha256Text`): what sealing reads, since a driver builds arrays faster than
 * objects and node:crypto a string faster than a Buffer. The same leaf as {@link leafHashOfRow}
 * of the row as an object.
 */
export function leafTextOfValues(toEntry: (row: Row) => Entry, v: readonly unknown[]): string {
  const message = fastMessage(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
  if (message !== undefined) return sha256Text(message)
  return leafOfRow(toEntry, rowOfValues(v, 0)).leaf.toString('latin1')
}

/**
 * The leaf, as a latin1 string, of a row read as values with `bulkColumns` from `at` on, when the
 * row has the shape auditkit writes; else undefined (the general path of {@link leafOfValues}
 * then serves). What verify's worker thread computes.
 */
export function fastLeafTextOfValues(v: readonly unknown[], at: number): string | undefined {
  const message = fastMessage(v[at], v[at + 1], v[at + 2], v[at + 3], v[at + 4], v[at + 5], v[at + 6], v[at + 7])
  return message === undefined ? undefined : sha256Text(message)
}

/**
 * As {@link leafOfRow}, for a row read as an array of values with `bulkColumns` from `at` on (in
 * their order). Its Entry, fallback and problem are those of the row as an object.
 */
export function leafOfValues(toEntry: (row: Row) => Entry, v: readonly unknown[], at: number, check = false): RowLeaf {
  const message = fastMessage(v[at], v[at + 1], v[at + 2], v[at + 3], v[at + 4], v[at + 5], v[at + 6], v[at + 7])
  if (message !== undefined) return new ReadableValuesLeaf(sha256Text(message), v, at, toEntry)
  return leafOfRow(toEntry, rowOfValues(v, at), check)
}

/** Values in `bulkColumns` order as the row object `toEntry` reads. */
export function rowOfValues(v: readonly unknown[], at = 0): Row {
  const row: Row = {}
  BULK_ALIASES.forEach((alias, i) => {
    row[alias] = v[at + i]
  })
  return row
}
