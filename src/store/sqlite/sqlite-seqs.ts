import { type SqlExecutor, selectValues } from '../executor.js'

/** Where an entry read holds its seq (see `READ_ALIASES`): SQLite's reads select the rowid there. */
const SEQ = 8
const UUID = 0

/**
 * Turns the rowids SQLite's reads select in the seq column into seqs, in place (see `seqOf` in
 * `sqlite-engine.ts`). The sealer seals in rowid order from rowid 1, so up to the sealer's
 * `contiguous_to` an entry's seq is its rowid - 1 (migration 6); past its `last_id` nothing is
 * sealed; between the two (after a row inserted with a rowid of its own) the seals are probed.
 *
 * `contiguous_to` only ever grows, so a value read earlier is a safe lower bound: each connection
 * keeps the last one it read, and the state row is read again only when a row lies past it. (A
 * table dropped and created again under the same log and connection would break that; a new
 * `createAuditLog` starts from nothing.) A page
 * of sealed entries is then one statement with no subquery in it: a correlated subquery costs
 * SQLite about 2 us per run of a compound's arm even when never evaluated (a light user's page:
 * 26 us with the CASE in SQL, 20 us without, on the bench's 1,000,000 entries).
 */
export function sqliteSeqs(sealerTable: string, sealsTable: string) {
  const known = new WeakMap<SqlExecutor, number>()
  const stateSql = `SELECT contiguous_to, last_id FROM ${sealerTable} WHERE id = 1`
  const probeSql = `SELECT seq FROM ${sealsTable} WHERE uuid = ?`

  // Rows past the bound this connection knew: the state read now (later than the rows, so it
  // covers them: a seq never changes once given), then rowid - 1, null, or a probe of the seals.
  async function resolvePast(executor: SqlExecutor, rows: unknown[][], past: readonly number[]): Promise<void> {
    const [state] = await selectValues(executor, stateSql, [], ['contiguous_to', 'last_id'], true)
    const contiguous = Number(state?.[0] ?? 0)
    const lastId = Number(state?.[1] ?? 0)
    if (contiguous > (known.get(executor) ?? 0)) known.set(executor, contiguous)
    for (const i of past) {
      const row = rows[i] as unknown[]
      const id = Number(row[SEQ])
      if (id >= 1 && id <= contiguous) row[SEQ] = id - 1
      else if (id > lastId) row[SEQ] = null
      else {
        const [found] = await selectValues(executor, probeSql, [row[UUID]], ['seq'], true)
        row[SEQ] = found === undefined ? null : Number(found[0])
      }
    }
  }

  /**
   * Replaces each row's rowid (column 8) with its seq, or null while unsealed. Returns a promise
   * only when some row lies past what this connection knew to be sealed by rowid.
   */
  return function resolveSeqs(executor: SqlExecutor, rows: unknown[][]): Promise<void> | undefined {
    const bound = known.get(executor) ?? 0
    const past: number[] = []
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as unknown[]
      const id = Number(row[SEQ])
      if (id >= 1 && id <= bound) row[SEQ] = id - 1
      else past.push(i)
    }
    return past.length === 0 ? undefined : resolvePast(executor, rows, past)
  }
}
