import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { AuditLog } from '../src/index.js'
import { verifyInclusion } from '../src/index.js'
import { SCAN_CHUNK, VERIFY_CHUNK } from '../src/sealing/log-verify.js'
import { leafOfRow } from '../src/store/row-leaf.js'
import { entryScanSql, sealedRangeSql } from '../src/store/seal-sql.js'
import { seededRandom } from './data.js'
import { cpuMeter } from './server-cpu.js'
import { compareLatency, FAST_READ, type Latency } from './stats.js'
import type { TamperTarget } from './tamper-open.js'

const VERIFY_ROUNDS = 3
/** Stop repeating verify once it has taken this long in all (a 1,000,000-entry log takes a while). */
const VERIFY_BUDGET_MS = 45_000
const PROOF_UUIDS = 1000

/** What verify() and its raw floor measured. */
export interface VerifyMeasure {
  readonly entries: number
  /** Entries/s of verify(), median of the rounds. */
  readonly rate: number
  /** Entries/s of the raw SELECT of the same seals joined to their entries, chunk by chunk. */
  readonly rawRate: number
  readonly rates: readonly number[]
  /** Microseconds per entry: the raw read, the leaf as verify recomputes it (canonical JSON + SHA-256). */
  readonly split: { readonly read: number; readonly leaf: number }
  /** The count query verify runs first, in ms. */
  readonly countsMs: number
  readonly checkpointsChecked: number
  readonly cpuMicros: number
  /** The server's CPU per entry (PostgreSQL on this machine), microseconds: verify(), and the raw read. */
  readonly serverCpuMicros: number | undefined
  readonly rawServerCpuMicros: number | undefined
}

/** Reads every seal with its entry the way verify() does, timing the query and the leaf hashing apart. */
async function rawVerifyRead(t: TamperTarget, size: number) {
  const ms = { read: 0, leaf: 0 }
  const toEntry = (row: Record<string, unknown>) => t.engine.toEntry(row)
  const statement = sealedRangeSql(t.engine, 0, 0).text
  const query = t.bench.raw.prepare(statement)
  for (let from = 0; from < size; from += VERIFY_CHUNK) {
    let at = performance.now()
    const lap = (key: keyof typeof ms) => {
      const now = performance.now()
      ms[key] += now - at
      at = now
    }
    const rows = await query(sealedRangeSql(t.engine, from, Math.min(from + VERIFY_CHUNK, size)).params)
    lap('read')
    for (const row of rows) leafOfRow(toEntry, row, true)
    lap('leaf')
    await nextTurn()
  }
  return ms
}

/**
 * verify()'s scan for entries without a seal (chunks of log-verify.ts's size), through the raw
 * driver: the time it adds to verify, in ms.
 */
async function rawEntryScan(t: TamperTarget): Promise<number> {
  const chunk = SCAN_CHUNK
  const start = performance.now()
  const key = (r: Record<string, unknown>) => (t.engine.scan.keyLength === 2 ? [r.k1, r.k2] : [r.k1])
  const [end] = await t.bench.raw.prepare(t.engine.scan.lastKey)([])
  if (end === undefined) return 0
  for (let after: unknown[] | null = null; ; ) {
    const sql = entryScanSql(t.engine, after, key(end), chunk)
    const rows = await t.bench.raw.prepare(sql.text)(sql.params)
    const last = rows.find((r) => r.n !== null && r.n !== undefined)
    if (last === undefined || Number(last.n) < chunk) break
    after = key(last)
    await nextTurn()
  }
  return performance.now() - start
}

/**
 * verify() over the whole sealed log, alternating with the raw floor, up to {@link VERIFY_ROUNDS}
 * rounds; refuses a log that does not verify.
 */
export async function measureVerify(
  t: TamperTarget,
  audit: AuditLog,
  say: (line: string) => void,
): Promise<VerifyMeasure> {
  const { treeSize } = await audit.treeHead()
  const countsMs = await rawEntryScan(t)
  const rates: number[] = []
  const raw: number[] = []
  const cpu: number[] = []
  const serverCpu: number[] = []
  const rawServerCpu: number[] = []
  let split = { read: 0, leaf: 0 }
  let checkpointsChecked = 0
  let spent = 0
  for (let round = 0; round < VERIFY_ROUNDS && spent < VERIFY_BUDGET_MS; round++) {
    const meter = cpuMeter(t.bench.engine)
    const start = performance.now()
    const result = await audit.verify()
    const ms = performance.now() - start
    const used = meter()
    spent += ms
    if (!result.ok || result.entries !== treeSize) {
      throw new Error(
        `verify() failed on the benchmark's log: ${result.entries} of ${treeSize} entries, ${JSON.stringify(result.problems.slice(0, 3))}`,
      )
    }
    checkpointsChecked = result.checkpointsChecked
    rates.push((treeSize * 1000) / ms)
    cpu.push(used.here / treeSize)
    if (used.server !== undefined) serverCpu.push(used.server / treeSize)
    const rawMeter = cpuMeter(t.bench.engine)
    const r = await rawVerifyRead(t, treeSize)
    const rawServer = rawMeter().server
    if (rawServer !== undefined) rawServerCpu.push(rawServer / treeSize)
    raw.push((treeSize * 1000) / r.read)
    const per = (v: number) => (v * 1000) / treeSize
    split = { read: per(r.read), leaf: per(r.leaf) }
    say(
      `verify() of ${treeSize.toLocaleString('en-US')} entries: ${(ms / 1000).toFixed(2)} s = ` +
        `${Math.round((treeSize * 1000) / ms).toLocaleString('en-US')} entries/s; raw read ${Math.round((treeSize * 1000) / r.read).toLocaleString('en-US')} entries/s`,
    )
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)] as number
  return {
    entries: treeSize,
    rate: median(rates),
    rawRate: median(raw),
    rates,
    split,
    countsMs,
    checkpointsChecked,
    cpuMicros: median(cpu),
    serverCpuMicros: serverCpu.length === 0 ? undefined : median(serverCpu),
    rawServerCpuMicros: rawServerCpu.length === 0 ? undefined : median(rawServerCpu),
  }
}

/** Uuids of {@link PROOF_UUIDS} random sealed entries, spread over the whole tree. */
async function randomSealedUuids(t: TamperTarget, size: number): Promise<string[]> {
  const p = t.bench.raw.param
  const byseq = t.bench.raw.prepare(`SELECT uuid FROM ${t.engine.sealsTable} WHERE seq = ${p(1)}`)
  const random = seededRandom(7)
  const uuids: string[] = []
  for (let i = 0; i < PROOF_UUIDS; i++) {
    const [row] = await byseq([Math.floor(random() * size)])
    uuids.push(String(row?.uuid))
  }
  return uuids
}

/** What the inclusion proofs measured. */
export interface ProofMeasure {
  readonly treeSize: number
  readonly auditkit: Latency
  /** The raw `SELECT seq FROM seals WHERE uuid = ?`: the first of proveInclusion's three queries. */
  readonly raw: Latency
}

/**
 * proveInclusion for random sealed uuids, interleaved with the raw seq lookup; first checks one
 * proof against a fresh signed checkpoint.
 */
export async function measureProofs(
  t: TamperTarget,
  audit: AuditLog,
  publicKey: string,
  say: (line: string) => void,
): Promise<ProofMeasure> {
  const cp = await audit.checkpoint()
  const uuids = await randomSealedUuids(t, cp.treeSize)
  const sample = await audit.proveInclusion(uuids[0] as string, cp.treeSize)
  if (!verifyInclusion(sample, cp.note, publicKey)) throw new Error('an inclusion proof does not verify')
  say(
    `proof of seq ${sample.leafIndex} verifies against the checkpoint of ${cp.treeSize} (${sample.auditPath.length} hashes)`,
  )
  const seqOf = t.bench.raw.prepare(`SELECT seq FROM ${t.engine.sealsTable} WHERE uuid = ${t.bench.raw.param(1)}`)
  let a = 0
  let r = 0
  const next = (i: number) => uuids[i % uuids.length] as string
  const figure = await compareLatency(
    () => audit.proveInclusion(next(a++)),
    () => seqOf([next(r++)]),
    FAST_READ,
  )
  return { treeSize: cp.treeSize, ...figure }
}
