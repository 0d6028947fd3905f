/** The columns auditkit stores, in its INSERT order. */
export const COLUMNS = 'uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at'
const NEWEST_FIRST = 'ORDER BY inserted_at DESC, uuid DESC'

/**
 * The SQL a hand-written app would send for each benchmarked operation, written once for both
 * engines (they differ only in placeholders). Each statement does the same work as auditkit's:
 * same columns, same order, same index-friendly shape.
 */
export function rawSql(table: string, p: (n: number) => string) {
  const select = `SELECT ${COLUMNS} FROM ${table}`
  const values = (row: number) => `(${Array.from({ length: 8 }, (_, i) => p(row * 8 + i + 1)).join(', ')})`
  return {
    insert: `INSERT INTO ${table} (${COLUMNS}) VALUES ${values(0)}`,
    insertRows: (rows: number) =>
      `INSERT INTO ${table} (${COLUMNS}) VALUES ${Array.from({ length: rows }, (_, r) => values(r)).join(', ')}`,
    firstPage: `${select} ${NEWEST_FIRST} LIMIT ${p(1)}`,
    byAction: `${select} WHERE action = ${p(1)} ${NEWEST_FIRST} LIMIT ${p(2)}`,
    // Two index range scans merged: the shape listLogsForUser needs to stay fast for a hot user.
    forUser:
      `SELECT * FROM (SELECT * FROM (${select} WHERE target_user_uuid = ${p(1)} ${NEWEST_FIRST} LIMIT ${p(2)}) AS t ` +
      `UNION ALL SELECT * FROM (${select} WHERE admin_user_uuid = ${p(3)} AND target_user_uuid <> ${p(4)} ` +
      `${NEWEST_FIRST} LIMIT ${p(5)}) AS a) AS u ${NEWEST_FIRST} LIMIT ${p(6)}`,
    // SQLite merges the branches of one compound SELECT lazily in each index's order; branches in
    // subqueries of their own (forUser) are each sorted into a temporary B-tree first. PostgreSQL
    // plans this shape as a sort of every row of both branches, so it keeps forUser's.
    forUserCompound:
      `${select} WHERE target_user_uuid = ${p(1)} UNION ALL ${select} WHERE admin_user_uuid = ${p(2)} ` +
      `AND target_user_uuid <> ${p(3)} ${NEWEST_FIRST} LIMIT ${p(4)}`,
    // What an app would write first; shown beside the union to say why auditkit does not.
    forUserOr: `${select} WHERE target_user_uuid = ${p(1)} OR admin_user_uuid = ${p(2)} ${NEWEST_FIRST} LIMIT ${p(3)}`,
    offsetPage: `${select} ${NEWEST_FIRST} LIMIT ${p(1)} OFFSET ${p(2)}`,
    // PostgreSQL only: the page's first position by an index-only scan, then the page from there
    // (an OFFSET reads the table row of every entry it skips there), as auditkit reads it.
    offsetPageFromPosition:
      `${select} WHERE (inserted_at, uuid) <= (SELECT inserted_at, uuid FROM ${table} ${NEWEST_FIRST} ` +
      `LIMIT 1 OFFSET ${p(2)}) ${NEWEST_FIRST} LIMIT ${p(1)}`,
    afterPage: `${select} WHERE (inserted_at, uuid) < (${p(1)}, ${p(2)}) ${NEWEST_FIRST} LIMIT ${p(3)}`,
    countTarget: `SELECT count(*) AS n FROM ${table} WHERE target_user_uuid = ${p(1)}`,
    countUser:
      `SELECT (SELECT count(*) FROM ${table} WHERE target_user_uuid = ${p(1)}) + ` +
      `(SELECT count(*) FROM ${table} WHERE admin_user_uuid = ${p(2)} AND target_user_uuid <> ${p(3)}) AS n`,
    // PostgreSQL only ($3 twice): all the user's entries as admin less those where they are the
    // target too (an index-only scan and a BitmapAnd), as auditkit counts there; countUser's `<>`
    // reads the row of every entry as admin.
    countUserMinus:
      `SELECT (SELECT count(*) FROM ${table} WHERE target_user_uuid = ${p(1)}) + ` +
      `(SELECT count(*) FROM ${table} WHERE admin_user_uuid = ${p(2)}) - ` +
      `(SELECT count(*) FROM ${table} WHERE admin_user_uuid = ${p(3)} AND target_user_uuid = ${p(3)}) AS n`,
    countAction: `SELECT count(*) AS n FROM ${table} WHERE action = ${p(1)}`,
    countAll: `SELECT count(*) AS n FROM ${table}`,
    byUuid: `${select} WHERE uuid = ${p(1)}`,
    positionAt: `SELECT inserted_at, uuid FROM ${table} ${NEWEST_FIRST} LIMIT 1 OFFSET ${p(1)}`,
  }
}

export type RawSql = ReturnType<typeof rawSql>
