import { setTimeout as sleep } from 'node:timers/promises'
import type { TamperTarget } from './tamper-open.js'

/** Index entries read so far (`pg_stat_user_indexes.idx_tup_read`), by index name. */
export type IndexReads = ReadonlyMap<string, number>

/**
 * A backend reports its counters as it exits (or up to 10 s after it goes idle): the caller
 * closes the logs whose work it wants counted, and this waits for their backends to be gone.
 */
const STATS_FLUSH_MS = 1500

/**
 * PostgreSQL only (undefined on SQLite): how many index entries every index of the entries and
 * seals tables has handed out so far. The difference across seal(), per entry sealed, is the
 * work the sealer does per entry whatever the machine's load: a sealer that reads only what it
 * seals stays near a few per entry whatever the backlog; one that walks the sealed part again on
 * every batch grows with the backlog.
 */
export async function indexReads(t: TamperTarget): Promise<IndexReads | undefined> {
  if (t.bench.engine === 'sqlite') return undefined
  await sleep(STATS_FLUSH_MS)
  const rows = await t.bench.raw.prepare(
    'SELECT indexrelname AS name, idx_tup_read AS n FROM pg_stat_user_indexes ' +
      'WHERE relid = ANY(ARRAY[$1::regclass, $2::regclass]) ORDER BY indexrelname',
  )([t.engine.table, t.engine.sealsTable])
  return new Map(rows.map((r) => [String(r.name), Number(r.n)]))
}

/** The indexes read during seal(), as "name X.X per entry sealed", busiest first. */
export function describeIndexReads(before: IndexReads, after: IndexReads, sealed: number): string[] {
  return [...after]
    .map(([name, n]) => [name, (n - (before.get(name) ?? 0)) / sealed] as const)
    .filter(([, per]) => per > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, per]) => `${name} ${per.toFixed(2)}`)
}
