import type { Entry } from '../entry.js'
import { entryLeafMessage, type LeafEntry, type StoredFields, storedFieldsLeafMessage } from './entry-canonical.js'
import { sha256 } from './merkle-hash.js'

export * from './entry-canonical.js'

/**
 * The RFC 6962 leaf hash of an entry: SHA-256 of 0x00 followed by its canonical bytes. Sealing
 * stores it; verification recomputes it from the stored fields.
 *
 * @example
 * const leaf = entryLeafHash(await audit.getLog(uuid)) // 32 bytes
 */
export function entryLeafHash(entry: LeafEntry): Buffer {
  return sha256(entryLeafMessage(entry))
}

/**
 * The leaf of one stored row and what verification needs to know of it: the entry's own leaf when
 * its fields canonicalise, the {@link storedFieldsCanonicalJson} fallback otherwise, so that sealing
 * never stops on what a row holds.
 */
export interface RowLeaf {
  readonly leaf: Buffer
  /** The same leaf as a latin1 string (`sha256Text`), when it was computed so: verify's hot path reads it instead. */
  readonly leafText?: string
  /** The row as an entry; null when it could not be read as one. */
  readonly entry: Entry | null
  /** The columns the leaf was computed from, when it is the fallback (exported as they are). */
  readonly fallback: StoredFields | undefined
  /** Why the row is not an entry auditkit would write (verify reports it), or undefined. */
  readonly unreadable: string | undefined
}

/**
 * The {@link RowLeaf} of a row: `read` turns it into an entry (and may throw: metadata that is not
 * JSON), `fields` gives its columns as text, `problem` (optional) says whether the entry has the
 * documented shape.
 *
 * @example
 * const { leaf } = rowLeaf(() => engine.toEntry(row), () => storedFieldsOf(row))
 */
export function rowLeaf(
  read: () => Entry,
  fields: () => StoredFields,
  problem?: (entry: Entry) => string | undefined,
): RowLeaf {
  let entry: Entry | null = null
  try {
    entry = read()
    return { leaf: entryLeafHash(entry), entry, fallback: undefined, unreadable: problem?.(entry) }
  } catch (error) {
    const stored = fields()
    return {
      leaf: storedFieldsLeafHash(stored),
      entry,
      fallback: stored,
      unreadable: error instanceof Error ? error.message : String(error),
    }
  }
}

/** The RFC 6962 leaf hash of {@link storedFieldsCanonicalJson}: a row sealed by its stored text. */
export function storedFieldsLeafHash(fields: StoredFields): Buffer {
  return sha256(storedFieldsLeafMessage(fields))
}
