import type { TamperTarget } from './tamper-open.js'

/** Whether anything has gathered planner statistics on the log's tables, and what it found. */
export interface StatisticsState {
  /** True when ANALYZE, autoanalyze (or, on PostgreSQL, a vacuum) has touched any of the tables. */
  readonly touched: boolean
  /** One line per table, to print. */
  readonly lines: readonly string[]
}

/** The entries table and the sealer's side tables, quoted as the engine quotes them. */
function tablesOf(t: TamperTarget): string[] {
  const e = t.engine
  return [e.table, e.sealsTable, e.tiles, e.sealer]
}

/**
 * Makes sure nothing analyzes the log's tables while the backlog is written and sealed. On
 * PostgreSQL, turns autovacuum (and so autoanalyze) off for each of them, TOAST included; the run
 * itself never runs VACUUM or ANALYZE. SQLite never gathers statistics unless asked (ANALYZE,
 * PRAGMA optimize), which neither auditkit nor this suite does: nothing to turn off.
 */
export async function keepUnanalyzed(t: TamperTarget): Promise<void> {
  if (t.bench.engine === 'sqlite') return
  for (const table of tablesOf(t)) {
    await t.bench.raw.prepare(
      `ALTER TABLE ${table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)`,
    )([])
  }
}

const unquote = (name: string) => name.replace(/"/g, '')
const when = (v: unknown) => (v === null || v === undefined ? 'null' : v instanceof Date ? v.toISOString() : String(v))

/**
 * What the planner knows about the log's tables. PostgreSQL: `pg_stat_user_tables.last_analyze`,
 * `last_autoanalyze`, `last_vacuum` and `last_autovacuum` must all be null, and `reltuples` is -1
 * while nothing has counted the table. SQLite: `sqlite_stat1` must not exist, or hold no row for
 * the tables.
 */
export async function statisticsState(t: TamperTarget): Promise<StatisticsState> {
  const query = (text: string, params: readonly unknown[] = []) => t.bench.raw.prepare(text)(params)
  if (t.bench.engine === 'sqlite') {
    const names = tablesOf(t).map(unquote)
    const [exists] = await query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if (Number(exists?.n) === 0) return { touched: false, lines: ['sqlite_stat1 does not exist (no ANALYZE ever ran)'] }
    const rows = await query(
      `SELECT tbl, count(*) AS n FROM sqlite_stat1 WHERE tbl IN (${names.map(() => '?').join(', ')}) GROUP BY tbl`,
      names,
    )
    const touched = rows.some((r) => Number(r.n) > 0)
    return {
      touched,
      lines: [
        `sqlite_stat1 exists; rows for the log's tables: ${rows.map((r) => `${r.tbl} ${r.n}`).join(', ') || 'none'}`,
      ],
    }
  }
  const rows = await query(
    'SELECT c.relname, c.reltuples, s.last_analyze, s.last_autoanalyze, s.last_vacuum, s.last_autovacuum, ' +
      's.n_live_tup, s.n_mod_since_analyze, c.reloptions::text AS options ' +
      'FROM unnest($1::text[]) WITH ORDINALITY AS x(name, n) JOIN pg_class c ON c.oid = x.name::regclass ' +
      'LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid ORDER BY x.n',
    [tablesOf(t)],
  )
  if (rows.length !== 4) throw new Error(`found ${rows.length} of the log's 4 tables in pg_class`)
  const keys = ['last_analyze', 'last_autoanalyze', 'last_vacuum', 'last_autovacuum'] as const
  return {
    touched: rows.some((r) => keys.some((k) => r[k] !== null)),
    lines: rows.map(
      (r) =>
        `${r.relname}: ${keys.map((k) => `${k} ${when(r[k])}`).join(', ')}; reltuples ${r.reltuples}, ` +
        `n_live_tup ${r.n_live_tup}, n_mod_since_analyze ${r.n_mod_since_analyze}; ${r.options ?? 'no reloptions'}`,
    ),
  }
}

/** Throws unless the tables are still unanalyzed; `when` names the moment in the message. */
export async function assertUnanalyzed(t: TamperTarget, moment: string): Promise<StatisticsState> {
  const state = await statisticsState(t)
  if (state.touched) {
    throw new Error(`the table was analyzed or vacuumed ${moment}, the run is void:\n  ${state.lines.join('\n  ')}`)
  }
  return state
}
