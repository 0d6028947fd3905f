import type { Entry } from '../entry.js'
import { storedEntryProblem } from '../schema/stored-entry.js'
import { type RowLeaf, rowLeaf } from '../tlog/entry-leaf.js'
import { storedFieldsOf } from './entry-sql.js'
import type { Row } from './executor.js'

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
