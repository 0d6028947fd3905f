import type { Entry } from '../entry.js'
import { storedEntryProblem } from '../schema/stored-entry.js'
import { type RowLeaf, rowLeaf } from '../tamper/entry-leaf.js'
import { storedFieldsOf } from './entry-sql.js'
import type { Row } from './executor.js'

/**
 * Rows hashed between two turns of the event loop: a few milliseconds of work. Much smaller slices cost a
 * PostgreSQL sealer wall time with its pooled connection held while writers wait for one.
 */
export const LEAF_SLICE = 512

/**
 * The leaf of a row selected with `bulkColumns`, as sealing computes it and verify recomputes it.
 * With `check`, also whether the row has the shape an Entry documents (verify reports it when not).
 */
export function leafOfRow(toEntry: (row: Row) => Entry, row: Row, check = false): RowLeaf {
  return rowLeaf(
    () => toEntry(row),
    () => storedFieldsOf(row),
    check ? storedEntryProblem : undefined,
  )
}
