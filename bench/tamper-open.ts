import { type AuditLog, type AuditLogOptions, createAuditLog } from '../src/index.js'
import type { Engine } from '../src/store/engine.js'
import type { EngineBench } from './engine-bench.js'

/** The sealing options a tamper-suite log is opened with. */
export type LogOptions = Pick<AuditLogOptions, 'sealIntervalMs' | 'sealBatchSize' | 'signingKey' | 'onSealError'>

/** How to open more logs on a bench's table, with options the bench's own `openAudit()` does not take. */
export interface TamperTarget {
  readonly bench: EngineBench
  /** auditkit's engine of the table: the exact sealing SQL and row mapping. */
  readonly engine: Engine
  /** Opens a log on the table with these options; the caller closes it. */
  open(options: LogOptions): Promise<AuditLog>
}

/** The same pool size as the bench's PostgreSQL logs. */
const POOL_SIZE = 16

function splitTable(quoted: string): { schema: string | undefined; table: string } {
  const m = /^(?:"([A-Za-z0-9_]+)"\.)?"([A-Za-z0-9_]+)"$/.exec(quoted)
  if (m === null) throw new Error(`cannot read the bench's table name ${quoted}`)
  return { schema: m[1], table: m[2] as string }
}

/**
 * Finds where the bench keeps its table (the SQLite file from `PRAGMA database_list`, the
 * PostgreSQL schema from the qualified table name) so that the suite can open logs with its own
 * sealing options on the very same table.
 */
export async function tamperTarget(bench: EngineBench): Promise<TamperTarget> {
  const engine = bench.dialect as Partial<Engine>
  if (typeof engine.toEntry !== 'function' || typeof engine.sealsTable !== 'string') {
    throw new Error("the bench's dialect is not auditkit's engine: cannot run the tamper suite")
  }
  const { schema, table } = splitTable(bench.table)
  let base: Pick<AuditLogOptions, 'database' | 'schema' | 'poolSize' | 'table'>
  if (bench.engine === 'sqlite') {
    const files = await bench.raw.prepare('PRAGMA database_list')([])
    const file = files.find((f) => f.name === 'main')?.file
    if (typeof file !== 'string' || file === '') throw new Error('cannot find the SQLite file of the bench')
    base = { database: `sqlite:${file}`, table }
  } else {
    const { PG_URL } = await import('./postgres-bench.js')
    base = { database: PG_URL, schema, table, poolSize: POOL_SIZE }
  }
  return {
    bench,
    engine: engine as Engine,
    open: (options) => createAuditLog({ ...base, ...options }),
  }
}
