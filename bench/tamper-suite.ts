import { performance } from 'node:perf_hooks'
import { generateKeyPair } from '../src/index.js'
import { DEFAULT_SEAL_BATCH_SIZE } from '../src/options.js'
import { SCAN_CHUNK } from '../src/sealing/log-verify.js'
import type { BenchArgs } from './args.js'
import { createPopulation, EntryGenerator } from './data.js'
import type { EngineBench } from './engine-bench.js'
import { fillTable } from './fill.js'
import type { Result, TamperRun } from './results.js'
import { cpuText, meanOrUndefined } from './server-cpu.js'
import { tamperTarget } from './tamper-open.js'
import {
  describeSeal,
  describeSplit,
  fillBacklog,
  measureSeal,
  measureSealSizes,
  SEAL_BATCH_SIZES,
  type SealMeasure,
  type SealSplit,
} from './tamper-seal.js'
import { PROOF_TARGET_ROWS } from './tamper-targets.js'
import { measureProofs, measureVerify } from './tamper-verify.js'
import { measureSealerWrites, SEAL_INTERVAL_MS, sealerShare, WRITERS } from './tamper-writes.js'

const WARM_UP = 5000
/** Each sealing backlog: a tenth of --rows, from 10,000 to 100,000 entries. */
const backlogFor = (rows: number) => Math.min(100_000, Math.max(10_000, Math.round(rows / 10)))

const n = (v: number) => Math.round(v).toLocaleString('en-US')

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / Math.max(1, values.length)
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

function meanSplit(measures: readonly SealMeasure[]): SealSplit {
  const keys = ['read', 'canonical', 'hash', 'tree', 'rest'] as const
  return Object.fromEntries(keys.map((k) => [k, mean(measures.map((m) => m.split[k]))])) as unknown as SealSplit
}

/**
 * The tamper-evidence suite on one engine's table: sealing throughput (a backlog per batch size,
 * and on a tamper-only run the initial backlog that brings the log to --rows), createLogEntry
 * with and without the background sealer, verify() over the whole sealed log, and inclusion proofs
 * on it. Every log it opens has its own sealing options; none is left with a background sealer
 * except the "with" rounds of the write comparison.
 */
export async function measureTamper(
  bench: EngineBench,
  args: BenchArgs,
  say: (line: string) => void,
): Promise<TamperRun> {
  const started = performance.now()
  const t = await tamperTarget(bench)
  // auditkit's default sealBatchSize for this engine (src/options.ts).
  const DEFAULT_BATCH = DEFAULT_SEAL_BATCH_SIZE[bench.engine]
  const generator = new EntryGenerator(createPopulation(), args.rows, 4)
  const backlog = backlogFor(args.rows)
  const segments = SEAL_BATCH_SIZES.length * 2
  const { privateKey, publicKey } = generateKeyPair()
  const filler = await t.open({ sealIntervalMs: 0 })
  const audit = await t.open({ sealIntervalMs: 0, sealBatchSize: DEFAULT_BATCH, signingKey: privateKey })
  const results: Result[] = []
  const notes: string[] = []
  try {
    // What the main suite left unsealed (its logs seal in the background) is sealed off the clock.
    const existing = (await audit.seal()).treeSize
    // A warm-up backlog, sealed and read off the record: the first measured seal() is not the one that compiles.
    await fillBacklog(filler, generator, WARM_UP, () => {})
    await measureSeal(t, audit, DEFAULT_BATCH)
    const base = Math.max(0, args.rows - existing - segments * backlog)
    let initial: SealMeasure | undefined
    if (base > 0) {
      say(`filling ${n(base)} unsealed entries`)
      const fill = await fillTable(filler, generator, base, (done, rate) =>
        say(`fill ${n(done)}/${n(base)} (${n(rate)} entries/s)`),
      )
      say(`filled in ${fill.seconds.toFixed(0)} s`)
      initial = await measureSeal(t, audit, DEFAULT_BATCH)
      say(`seal() of the initial backlog: ${describeSeal(initial)}`)
      results.push({
        id: 'seal-initial',
        label: `seal() of one backlog of ${n(initial.entries)}, sealBatchSize ${n(DEFAULT_BATCH)}, vs raw SELECT of the same rows (entries/s)`,
        figure: { kind: 'rate', unit: 'entries/s', auditkit: initial.rate, raw: initial.rawRate },
      })
    }

    const sized = await measureSealSizes(t, filler, generator, backlog, say)
    for (const size of SEAL_BATCH_SIZES) {
      const of = sized.filter((m) => m.batchSize === size)
      results.push({
        id: size === DEFAULT_BATCH ? 'seal:default' : `seal:${size}`,
        label: `seal() of backlogs of ${n(backlog)}, sealBatchSize ${n(size)}${size === DEFAULT_BATCH ? ' (default)' : ''}, vs raw SELECT of the same rows (entries/s)`,
        figure: {
          kind: 'rate',
          unit: 'entries/s',
          auditkit: median(of.map((m) => m.rate)),
          raw: median(of.map((m) => m.rawRate)),
        },
      })
      notes.push(
        `seal() with sealBatchSize ${n(size)}: ${of.map((m) => `${n(m.rate)}`).join(', ')} entries/s (rounds, ABC CBA order); ` +
          `CPU ${cpuText(mean(of.map((m) => m.cpuMicros)), meanOrUndefined(of.map((m) => m.serverCpuMicros)))}; ` +
          `${bench.engine === 'postgres' ? `the sealer's pending-rows query alone, through the raw driver: ${of.map((m) => n(m.sealerReadRate)).join(', ')} entries/s; ` : ''}` +
          `where the time goes: ${describeSplit(meanSplit(of))}.`,
      )
    }
    if (initial !== undefined) {
      notes.push(
        `seal() of the initial ${n(initial.entries)}: CPU ${cpuText(initial.cpuMicros, initial.serverCpuMicros)}; ` +
          `${bench.engine === 'postgres' ? `the sealer's pending-rows query alone ${n(initial.sealerReadRate)} entries/s; ` : ''}${describeSplit(initial.split)}.`,
      )
    }
    notes.push(
      `Raw floor: a plain SELECT of the same rows in the sealing order (${bench.engine === 'sqlite' ? 'by rowid, which is the sealer\u2019s own query' : 'keyset on (tx_id, uuid) from the horizon, without the sealer\u2019s NOT EXISTS on the seals table'}), ` +
        'in batches of the same size, rows as the driver returns them. ' +
        'Sealing split: the read is the sealer\u2019s own pending-rows SELECT through the raw driver in batches of the same size; canonical JSON (built from the columns, as the sealer does), the leaf\u2019s SHA-256 and tree+tiles (one interior hash per entry) are timed on those rows in this process; ' +
        '"rest" is seal()\u2019s time minus all of them: its INSERT of the seals, the tile upserts, the state row, the commit' +
        `${bench.engine === 'sqlite' ? ' (fsync, synchronous=FULL)' : ''}, and its driver overhead beyond the raw read. ` +
        `Each backlog is written by createLogEntries in batches of 1000 on a log without background sealer, then ${bench.engine === 'sqlite' ? 'ANALYZE and wal_checkpoint(TRUNCATE)' : 'VACUUM ANALYZE and CHECKPOINT'} before seal().`,
    )

    say(`createLogEntry, ${WRITERS} in flight, with and without the background sealer`)
    const w = await measureSealerWrites(t, generator, say)
    results.push({
      id: 'seal-writes',
      label: `createLogEntry, ${WRITERS} in flight, background sealer every ${SEAL_INTERVAL_MS} ms (the default) vs none (entries/s)`,
      figure: {
        kind: 'rate',
        unit: 'entries/s',
        auditkit: w.on.perSecond,
        raw: w.off.perSecond,
        pairedRatio: w.medianRatio,
      },
    })
    notes.push(
      `createLogEntry with the background sealer every ${SEAL_INTERVAL_MS} ms vs none: ${w.ratios.length} pairs of 3 s rounds, alternating order; ` +
        `ratio with/without per pair ${w.ratios.map((r) => r.toFixed(3)).join(', ')} (median ${w.medianRatio.toFixed(3)}x, shown in the table). ` +
        `Latency p50/p99 without ${w.off.p50.toFixed(2)}/${w.off.p99.toFixed(2)} ms, with ${w.on.p50.toFixed(2)}/${w.on.p99.toFixed(2)} ms (medians of the rounds); ` +
        `the sealer sealed a median ${n(w.on.sealed)} of ${n(w.on.written)} entries written during a round` +
        `${w.sealErrors > 0 ? `; ${w.sealErrors} background sealing errors` : ''}. Each round opens a fresh log, warms it, seals the backlog off the clock.`,
      sealerShare(
        w,
        sized.filter((m) => m.batchSize === DEFAULT_BATCH),
      ),
    )

    await audit.seal()
    await bench.analyze()
    const cp = await audit.checkpoint()
    say(`verify() over ${n(cp.treeSize)} sealed entries`)
    const v = await measureVerify(t, audit, say)
    results.push({
      id: 'verify',
      label: `verify() of ${n(v.entries)} entries vs raw SELECT of the seals joined to their entries (entries/s)`,
      figure: { kind: 'rate', unit: 'entries/s', auditkit: v.rate, raw: v.rawRate },
    })
    notes.push(
      `verify(): ${v.rates.map((r) => n(r)).join(', ')} entries/s (rounds; ${v.checkpointsChecked} stored signed checkpoint checked); ` +
        `CPU ${cpuText(v.cpuMicros, v.serverCpuMicros)}` +
        `${v.rawServerCpuMicros === undefined ? '' : ` (the raw read below: ${v.rawServerCpuMicros.toFixed(1)} µs/entry in the server)`}. Split of the same work done outside verify(): raw read ${v.split.read.toFixed(2)}, ` +
        `leaf hash (canonical JSON + SHA-256, as verify recomputes it from the row) ${v.split.leaf.toFixed(2)} µs/entry; ` +
        `verify() also rebuilds the tree (one more hash per entry) and compares each leaf. The scan for entries without a seal (chunks of ${SCAN_CHUNK.toLocaleString('en-US')} through the raw driver) alone took ${v.countsMs.toFixed(0)} ms` +
        (t.engine.positions === undefined
          ? '.'
          : '; verify() runs it only when its walk of the seals cannot show the sealed past complete (it counts the entries instead).'),
    )

    say(`proveInclusion at ${n(cp.treeSize)} entries`)
    const p = await measureProofs(t, audit, publicKey, say)
    results.push({
      id: 'prove',
      label: `proveInclusion(uuid) at ${n(p.treeSize)} entries vs raw SELECT seq by uuid (1 of its 3 queries)`,
      figure: { kind: 'latency', auditkit: p.auditkit, raw: p.raw },
    })
    notes.push(
      `proveInclusion: ${p.auditkit.samples} random sealed uuids over the whole tree of ${n(p.treeSize)}, interleaved with the raw lookup; ` +
        `one proof was checked with verifyInclusion against a signed checkpoint. ` +
        (p.treeSize < PROOF_TARGET_ROWS
          ? `The < 50 ms target is for ${n(PROOF_TARGET_ROWS)} entries: not applicable at this size.`
          : ''),
    )
    return {
      sealedEntries: (await audit.treeHead()).treeSize,
      results,
      notes,
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    await audit.close()
    await filler.close()
  }
}
