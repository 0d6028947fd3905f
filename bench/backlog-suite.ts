import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AuditLog } from '../src/index.js'
import { DEFAULT_SEAL_BATCH_SIZE } from '../src/options.js'
import type { BenchArgs, EngineName } from './args.js'
import { type BacklogCurve, backlogCurve, type SizeSample } from './backlog-curve.js'
import { assertUnanalyzed, keepUnanalyzed } from './backlog-fresh.js'
import { describeIndexReads, indexReads } from './backlog-index-reads.js'
import { createPopulation, EntryGenerator } from './data.js'
import type { EngineBench } from './engine-bench.js'
import { BATCH, fillTable } from './fill.js'
import { type TamperTarget, tamperTarget } from './tamper-open.js'

/**
 * How often the second log reads the sealed tree's size while seal() runs. The tree grows a batch
 * at a time (PostgreSQL's 10,000 entries take a few hundred ms), and a tenth's end points are
 * known to within one sample interval or one batch, whichever is shorter: 50 ms keeps that a few
 * percent of a tenth of 1,000,000. A read of the state row costs well under a millisecond.
 */
export const SAMPLE_MS = 50
const PROGRESS_MS = 5000

/** auditkit's default sealBatchSize per engine (src/options.ts), for the report: the logs are opened without it. */
const DEFAULT_BATCH: Record<EngineName, number> = DEFAULT_SEAL_BATCH_SIZE

/** One seal() of a backlog of `rows` entries on a fresh, never analyzed table. */
export interface BacklogRun {
  readonly engine: EngineName
  readonly rows: number
  readonly settings: Record<string, string>
  readonly sealBatchSize: number
  readonly fill: { readonly entriesPerSecond: number; readonly seconds: number }
  readonly seal: { readonly seconds: number; readonly entriesPerSecond: number }
  readonly curve: BacklogCurve
  /** Size samples taken by the second log while seal() ran (the end points excluded). */
  readonly samples: number
  /** pg_stat_user_tables or sqlite_stat1, before and after sealing. */
  readonly statistics: { readonly before: readonly string[]; readonly after: readonly string[] }
  /** PostgreSQL: index entries read during seal() per entry sealed, by index, busiest first. */
  readonly indexReadsPerEntry: readonly string[] | undefined
  readonly verify: { readonly ok: boolean; readonly entries: number; readonly seconds: number } | undefined
  readonly notes: readonly string[]
  readonly seconds: number
}

const n = (v: number) => Math.round(v).toLocaleString('en-US')

/**
 * Reads the tree size through `watcher` every {@link SAMPLE_MS} while `sealing()` is true. Each
 * sample is stamped with the time its read began; reads never overlap. On SQLite, seal() runs
 * synchronous batches with a setImmediate between them, so a due timer fires between two batches.
 */
async function sampleSizes(
  watcher: AuditLog,
  samples: SizeSample[],
  sealing: () => boolean,
  progress: (s: SizeSample) => void,
): Promise<void> {
  while (sealing()) {
    await sleep(SAMPLE_MS)
    if (!sealing()) return
    const ms = performance.now()
    const { treeSize } = await watcher.treeHead()
    const sample = { ms, size: treeSize }
    samples.push(sample)
    progress(sample)
  }
}

/** Seals the whole backlog with one seal() of `sealer`, sampling its progress through `watcher`. */
async function sealWithSamples(
  sealer: AuditLog,
  watcher: AuditLog,
  rows: number,
  say: (line: string) => void,
): Promise<{ samples: SizeSample[]; seconds: number }> {
  const samples: SizeSample[] = []
  let sealing = true
  let lastSaid: SizeSample | undefined
  const start = performance.now()
  const sampler = sampleSizes(
    watcher,
    samples,
    () => sealing,
    (s) => {
      const from = lastSaid ?? { ms: start, size: 0 }
      if (s.ms - from.ms < PROGRESS_MS) return
      say(`sealed ${n(s.size)}/${n(rows)} (${n(((s.size - from.size) * 1000) / (s.ms - from.ms))} entries/s lately)`)
      lastSaid = s
    },
  )
  let result: Awaited<ReturnType<AuditLog['seal']>>
  try {
    result = await sealer.seal()
  } finally {
    sealing = false
    await sampler
  }
  const end = performance.now()
  if (result.sealed !== rows || result.treeSize !== rows) {
    throw new Error(`seal() sealed ${result.sealed} entries to a tree of ${result.treeSize}, not ${rows}`)
  }
  return { samples: [{ ms: start, size: 0 }, ...samples, { ms: end, size: rows }], seconds: (end - start) / 1000 }
}

async function countEntries(t: TamperTarget): Promise<number> {
  const [row] = await t.bench.raw.prepare(`SELECT count(*) AS n FROM ${t.engine.table}`)([])
  return Number(row?.n)
}

/**
 * The "sealing a backlog of 1,000,000 on a fresh, unanalyzed table: the rate at the end
 * within 20% of the rate at the start", on one engine. `bench` must be fresh (its table empty);
 * on PostgreSQL autovacuum is turned off for the log's tables first, and the run stops if
 * anything analyzed them before or during sealing. Fills `args.rows` entries through a log
 * without background sealer, then seals them all with one seal() of a log with the default
 * sealBatchSize, while a second log samples the tree size.
 */
export async function measureBacklog(
  bench: EngineBench,
  args: BenchArgs,
  say: (line: string) => void,
): Promise<BacklogRun> {
  const started = performance.now()
  const rows = args.rows
  const t = await tamperTarget(bench)
  await keepUnanalyzed(t)
  const logs: AuditLog[] = []
  const open = async () => {
    const log = await t.open({ sealIntervalMs: 0 })
    logs.push(log)
    return log
  }
  try {
    const filler = await open()
    if ((await filler.treeHead()).treeSize !== 0) throw new Error('the table is not fresh: its tree is not empty')
    const generator = new EntryGenerator(createPopulation(), rows, 5)
    const fill = await fillTable(filler, generator, rows, (done, rate) =>
      say(`fill ${n(done)}/${n(rows)} (${n(rate)} entries/s)`),
    )
    // Closing a log seals what it wrote, unless told not to: the backlog must stay whole.
    await filler.close({ seal: false })

    const before = await assertUnanalyzed(t, 'before sealing')
    for (const line of before.lines) say(`statistics before sealing: ${line}`)
    const sealer = await open()
    const watcher = await open()
    if ((await watcher.treeHead()).treeSize !== 0) throw new Error('something sealed the backlog before seal()')
    const readsBefore = await indexReads(t)
    say(`seal() of ${n(rows)} entries, sealBatchSize left at its default (${n(DEFAULT_BATCH[bench.engine])})`)
    const { samples, seconds } = await sealWithSamples(sealer, watcher, rows, say)
    const curve = backlogCurve(samples, rows)
    say(
      `sealed in ${seconds.toFixed(1)} s, ${samples.length - 2} samples, longest gap ${curve.longestGapMs.toFixed(0)} ms`,
    )
    // A PostgreSQL backend reports its counters when it exits, or up to 10 s after it goes idle.
    await sealer.close({ seal: false })
    const readsAfter = await indexReads(t)
    const indexReadsPerEntry = readsBefore && readsAfter ? describeIndexReads(readsBefore, readsAfter, rows) : undefined
    if (indexReadsPerEntry) say(`index entries read during seal(), per entry sealed: ${indexReadsPerEntry.join(', ')}`)

    const after = await assertUnanalyzed(t, 'while sealing')
    for (const line of after.lines) say(`statistics after sealing: ${line}`)
    const head = await watcher.treeHead()
    if (head.treeSize !== rows) throw new Error(`treeHead().treeSize is ${head.treeSize}, not ${rows}`)
    const counted = await countEntries(t)
    if (counted !== rows) throw new Error(`the table holds ${counted} entries, not ${rows}`)

    let verify: BacklogRun['verify']
    if (args.verify) {
      say(`verify() over ${n(rows)} entries`)
      const at = performance.now()
      const v = await watcher.verify()
      verify = { ok: v.ok, entries: v.entries, seconds: (performance.now() - at) / 1000 }
      if (!v.ok || v.entries !== rows) {
        throw new Error(
          `verify() failed: ok ${v.ok}, ${v.entries} entries, problems ${JSON.stringify(v.problems.slice(0, 5))}`,
        )
      }
    }
    return {
      engine: bench.engine,
      rows,
      settings: await bench.describe(),
      sealBatchSize: DEFAULT_BATCH[bench.engine],
      fill: { entriesPerSecond: fill.entriesPerSecond, seconds: fill.seconds },
      seal: { seconds, entriesPerSecond: rows / seconds },
      curve,
      samples: samples.length - 2,
      statistics: { before: before.lines, after: after.lines },
      indexReadsPerEntry,
      verify,
      notes: notesFor(bench.engine, rows, curve),
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    for (const log of logs) await log.close({ seal: false }).catch(() => {})
  }
}

function notesFor(engine: EngineName, rows: number, curve: BacklogCurve): string[] {
  const batch = DEFAULT_BATCH[engine]
  const notes = [
    `Fill: createLogEntries in batches of ${BATCH}, one at a time, by a log with sealIntervalMs 0 (closed with seal: false); ` +
      `then one seal() of a log opened without sealBatchSize (default ${n(batch)} on ${engine}) and sealIntervalMs 0. ` +
      `${engine === 'postgres' ? 'autovacuum_enabled and toast.autovacuum_enabled off on the entries, seals, tiles and sealer tables from their creation; no VACUUM, no ANALYZE, no CHECKPOINT' : 'No ANALYZE, no PRAGMA optimize, no wal_checkpoint'} at any point.`,
    `Rates: a second log reads treeHead() every ${SAMPLE_MS} ms while seal() runs; the moment the tree reached each tenth of the backlog is ` +
      'interpolated between the samples around it (the tree grows a batch at a time), from the call of seal() (size 0) to its return. ' +
      `Start = first tenth, end = last tenth. ${n(rows / 10 / batch)} batches per tenth; samples inside each tenth: ${curve.samplesPerTenth.join(', ')}.`,
  ]
  if (engine === 'postgres') {
    notes.push(
      'Index entries read during seal() (pg_stat_user_indexes.idx_tup_read, after the sealing connections closed, so that their counts are in): ' +
        'a sealer that reads only what it seals reads about one entry of the (tx_id, uuid) index and probes the seals index about once per entry ' +
        'sealed, whatever the backlog; a figure that grows with --rows is a statement re-reading the sealed part on every batch. ' +
        'It does not depend on the load of the machine, where the rates do.',
    )
  }
  if (rows / 10 < 2 * batch || curve.samplesPerTenth.some((s) => s < 2)) {
    notes.push(
      'Coarse: some tenth holds fewer than two batches or two samples, so its rate mostly reflects where the commits fell against the samples. ' +
        'The criterion is meant for 1,000,000 entries.',
    )
  }
  return notes
}
