import type Database from 'better-sqlite3'
import type { Input } from './data.js'
import type { RawBulkPath } from './engine-bench.js'

/**
 * How a hand-written app writes to SQLite with better-sqlite3: one prepared single-row INSERT per
 * entry, and batches either as a transaction of those or as one multi-row INSERT (prepared once
 * per batch size). `rowOf` makes an entry's parameters, as that app would.
 */
export function sqliteWritePaths(
  db: Database.Database,
  sql: { readonly insert: string; insertRows(rows: number): string },
  rowOf: (input: Input) => unknown[],
): { insertOne(input: Input): void; bulkPaths: RawBulkPath[] } {
  const insert = db.prepare(sql.insert)
  const insertAll = db.transaction((rows: readonly unknown[][]) => {
    for (const row of rows) insert.run(row)
  })
  const multiRow = new Map<number, Database.Statement>()
  return {
    insertOne(input) {
      insert.run(rowOf(input))
    },
    bulkPaths: [
      { label: 'transaction of prepared INSERTs', insert: (inputs) => insertAll(inputs.map(rowOf)) },
      {
        label: 'multi-row INSERT',
        insert(inputs) {
          let statement = multiRow.get(inputs.length)
          if (statement === undefined) {
            statement = db.prepare(sql.insertRows(inputs.length))
            multiRow.set(inputs.length, statement)
          }
          statement.run(inputs.flatMap(rowOf))
        },
      },
    ],
  }
}
