import { countSql, listSql } from '../src/store/entry-sql.js'
import type { Position } from '../src/store/store.js'
import type { Population } from './data.js'
import type { EngineBench } from './engine-bench.js'
import type { Plan } from './results.js'

const ACTION = 'user_locked'

/** The plans of the exact SQL auditkit sends for its first pages, a deep cursor page and a selective count. */
export async function explainReads(bench: EngineBench, pop: Population, deep: Position): Promise<Plan[]> {
  const d = bench.dialect
  const page = { limit: 100, offset: 0 }
  const queries = [
    { label: 'listLogs() first page', sql: listSql(d, { filters: {}, ...page }) },
    { label: 'listLogs({ action }) first page', sql: listSql(d, { filters: { actions: [ACTION] }, ...page }) },
    { label: 'listLogsForUser(hot user) first page', sql: listSql(d, { filters: { userUuid: pop.hotUser }, ...page }) },
    { label: 'pageLogs by cursor, deep', sql: listSql(d, { filters: {}, limit: 101, offset: 0, after: deep }) },
    { label: 'countLogs({ targetUserUuid: selective user })', sql: countSql(d, { targetUserUuid: pop.selectiveUser }) },
  ]
  const plans: Plan[] = []
  for (const { label, sql } of queries) {
    plans.push({ label: `${label} (${bench.engine}): ${sql.text}`, text: await bench.explain(sql.text, sql.params) })
  }
  return plans
}
