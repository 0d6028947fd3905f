import { performance } from 'node:perf_hooks'
import type { BenchArgs } from './args.js'
import {
  createPopulation,
  EntryGenerator,
  HOT_SHARE,
  LIGHT_ENTRIES,
  LIGHT_SHARE,
  lightUser,
  SELECTIVE_ENTRIES,
  USER_COUNT,
} from './data.js'
import type { EngineBench } from './engine-bench.js'
import { explainReads } from './explain.js'
import { BATCH, fillTable } from './fill.js'
import { rawSql } from './raw-sql.js'
import { deepPosition } from './read-cases.js'
import { measureReads } from './read-suite.js'
import type { CursorDepth, EngineRun, Plan, Result } from './results.js'
import { measureTamper } from './tamper-suite.js'
import { measureWrites } from './write-suite.js'

/** What the main suite (reads and writes) measured. */
interface MainRun {
  readonly rows: number
  readonly results: Result[]
  readonly cursorDepth: CursorDepth
  readonly notes: string[]
  readonly plans: Plan[]
}

/**
 * Runs the suites asked for on one engine: the main one (fill, reads, writes), then the
 * tamper-evidence one, on the same table when both run.
 */
export async function runEngine(bench: EngineBench, args: BenchArgs, log: (line: string) => void): Promise<EngineRun> {
  const started = performance.now()
  const say = (what: string) => log(`[${bench.engine}] ${what}`)
  const main = args.suites.includes('main') ? await runMain(bench, args, say) : undefined
  const tamper = args.suites.includes('tamper')
    ? await measureTamper(bench, args, (l) => say(`tamper: ${l}`))
    : undefined
  const settings = await bench.describe()
  return {
    engine: bench.engine,
    rows: main?.rows ?? tamper?.sealedEntries ?? 0,
    settings,
    results: main?.results ?? [],
    cursorDepth: main?.cursorDepth,
    notes: main?.notes ?? [],
    plans: main?.plans ?? [],
    tamper,
    seconds: (performance.now() - started) / 1000,
  }
}

/**
 * Fills the engine's table to `args.rows` entries, measures every read on it, then the writes
 * (which add entries of their own after the reads are done).
 */
async function runMain(bench: EngineBench, args: BenchArgs, say: (line: string) => void): Promise<MainRun> {
  const population = createPopulation()
  const generator = new EntryGenerator(population, args.rows)

  const filler = await bench.openAudit()
  const fill = await fillTable(filler, generator, args.rows, (done, rate) =>
    say(
      `fill ${done.toLocaleString('en-US')}/${args.rows.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')} entries/s)`,
    ),
  )
  await filler.close()
  say("copy the entries into the seed's table")
  const copyStart = performance.now()
  await bench.seed.copyFromAuditkit()
  const copySeconds = (performance.now() - copyStart) / 1000
  say('analyze')
  await bench.analyze()
  await bench.seed.analyze()
  // A log opened after ANALYZE, so that its connection plans with the fresh statistics. Its
  // background sealer runs at the default interval through every read and write below; the
  // backlog the fill left is sealed first, as a running log keeps up with its writes.
  const audit = await bench.openAudit()
  say('seal the backlog of the fill')
  const sealStart = performance.now()
  const sealed = await audit.seal()
  const sealSeconds = (performance.now() - sealStart) / 1000
  const sql = rawSql(bench.table, bench.raw.param)
  const rows = Number((await bench.raw.prepare(sql.countAll)([]))[0]?.n)
  if (rows !== args.rows) throw new Error(`the fill left ${rows} entries, not ${args.rows}`)
  const deep = await deepPosition(bench, rows)

  const reads = await measureReads({ bench, audit, population, rows, sampleUuids: fill.sampleUuids, deep }, (l) =>
    say(`read: ${l}`),
  )
  const plans = args.explain ? await explainReads(bench, population, deep) : []
  const targetOf = async (user: string) => Number((await bench.raw.prepare(sql.countTarget)([user]))[0]?.n)
  const selective = await targetOf(population.selectiveUser)
  const light = await targetOf(lightUser(0))
  const uniform = await targetOf(population.users[0] as string)
  const writes = await measureWrites(bench, audit, generator, (l) => say(`write: ${l}`))
  await audit.close()
  const notes = [
    `Data, three shapes in one table: ${USER_COUNT.toLocaleString('en-US')} users and 9 actions drawn uniformly (the uniform user asked for is the target of ` +
      `${uniform}); one hot user is the target of ${HOT_SHARE * 100}% ` +
      `and the admin of ${HOT_SHARE * 100}% of entries; ${LIGHT_SHARE * 100}% of entries have one of many light users as target, ` +
      `${LIGHT_ENTRIES} each spread over the table (the light user asked for is the target of ${light}); ` +
      `the selective user is the target of ${selective} (aimed at ${SELECTIVE_ENTRIES}).`,
    `The seed's design: PhoenixKit's table and five indexes (bench/seed-design.ts), created empty before the fill and filled by one ` +
      `INSERT ... SELECT of auditkit's entries in time order (${copySeconds.toFixed(0)} s), then analyzed like auditkit's; the raw driver runs ` +
      'the SQL Ecto generates for the seed (ORDER BY inserted_at DESC LIMIT/OFFSET, the OR query for a user, count(uuid)). ' +
      'Its columns: ' +
      (bench.engine === 'sqlite' ? 'text, as ecto_sqlite3 stores them.' : 'native uuid, jsonb, timestamptz.'),
    `Background sealer: on at the default interval through the reads and writes; the ${sealed.sealed.toLocaleString('en-US')} entries ` +
      `the fill left unsealed were sealed first (one seal(), ${sealSeconds.toFixed(0)} s).`,
    `Fill: createLogEntries in batches of ${BATCH}, one at a time, into the growing table: ` +
      `${Math.round(fill.entriesPerSecond).toLocaleString('en-US')} entries/s (${fill.seconds.toFixed(0)} s); then ${bench.engine === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE and CHECKPOINT'}. ` +
      'The batch figure above is measured separately, after the reads, on the full table, interleaved with the raw bulk paths.',
    ...writes.notes,
    ...reads.notes,
  ]
  return { rows, results: [...writes.results, ...reads.results], cursorDepth: reads.cursorDepth, notes, plans }
}
