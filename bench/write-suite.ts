import type { AuditLog } from '../src/index.js'
import type { EntryGenerator, Input } from './data.js'
import type { EngineBench } from './engine-bench.js'
import { BATCH } from './fill.js'
import type { Result } from './results.js'
import { compareRates, type Rate, type RateContender } from './stats.js'

/** How many writes each side makes per measurement; modest, as every commit is flushed to disk. */
const SINGLE_WRITES = 4000
const CONCURRENT_WRITES = 8000
const BATCH_ROWS = 30 * BATCH
// Many short rounds: on a shared machine, the median of 20 paired rounds is far steadier than one long run.
const WRITE_ROUNDS = 20
const BATCH_ROUNDS = 10

/** Splits `items` over `loops` concurrent loops that each await one write at a time. */
async function inLoops(items: readonly Input[], loops: number, write: (input: Input) => unknown): Promise<void> {
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let i = loop; i < items.length; i += loops) await write(items[i] as Input)
    }),
  )
}

async function inBatches(items: readonly Input[], write: (batch: readonly Input[]) => unknown): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) await write(items.slice(i, i + BATCH))
}

function singleWrites(bench: EngineBench, audit: AuditLog, loops: number): RateContender<Input>[] {
  return [
    { label: 'auditkit', run: (items) => inLoops(items, loops, (x) => audit.createLogEntry(x)) },
    { label: 'raw', run: (items) => inLoops(items, loops, (x) => bench.raw.insertOne(x)) },
    { label: 'seed', run: (items) => inLoops(items, loops, (x) => bench.seed.insertOne(x)) },
  ]
}

async function warm(contenders: readonly RateContender<Input>[], make: (n: number) => Input[], count: number) {
  for (const c of contenders) await c.run(make(count))
}

/**
 * Single awaited writes (1 and `bench.inFlight` in flight) and batches of {@link BATCH}, auditkit
 * against the raw driver, on the filled table. Each side writes fresh entries of the same spread.
 */
export async function measureWrites(
  bench: EngineBench,
  audit: AuditLog,
  generator: EntryGenerator,
  progress: (label: string) => void,
): Promise<{ results: Result[]; notes: string[] }> {
  const make = (n: number) => generator.batch(n)
  const results: Result[] = []
  const cpu: string[] = []
  const cpuOf = (what: string, rates: Map<string, Rate>) =>
    `${what}: ${[...rates].map(([label, r]) => `${label} ${r.cpuMicros.toFixed(0)} µs`).join(', ')}`
  const loops = [1, bench.inFlight]
  for (const n of loops) {
    const label = `createLogEntry, ${n} in flight (entries/s)`
    progress(label)
    const contenders = singleWrites(bench, audit, n)
    await warm(contenders, make, 4 * n)
    const rates = await compareRates(contenders, make, n === 1 ? SINGLE_WRITES : CONCURRENT_WRITES, WRITE_ROUNDS)
    const figure = {
      kind: 'rate',
      unit: 'entries/s',
      auditkit: rates.get('auditkit')?.perSecond ?? 0,
      raw: rates.get('raw')?.perSecond ?? 0,
      seed: rates.get('seed')?.perSecond ?? 0,
    } as const
    results.push({ id: `write-${n === 1 ? 1 : 'n'}`, label, figure })
    cpu.push(cpuOf(`${n} in flight`, rates))
  }
  progress(`createLogEntries, batches of ${BATCH}`)
  const batch: RateContender<Input>[] = [
    { label: 'auditkit', run: (items) => inBatches(items, (b) => audit.createLogEntries(b)) },
    ...bench.raw.bulkPaths.map((p) => ({
      label: p.label,
      run: (items: readonly Input[]) => inBatches(items, (b) => p.insert(b)),
    })),
    ...bench.seed.bulkPaths.map((p) => ({
      label: `seed ${p.label}`,
      run: (items: readonly Input[]) => inBatches(items, (b) => p.insert(b)),
    })),
  ]
  await warm(batch, make, BATCH)
  const rates = await compareRates(batch, make, BATCH_ROWS, BATCH_ROUNDS)
  // The seed writes its batches whichever way is faster on this engine.
  const seedBulk = Math.max(...bench.seed.bulkPaths.map((p) => rates.get(`seed ${p.label}`)?.perSecond ?? 0))
  for (const p of bench.raw.bulkPaths) {
    results.push({
      id: `batch:${p.label}`,
      label: `createLogEntries, batches of ${BATCH}, vs raw ${p.label} (entries/s)`,
      figure: {
        kind: 'rate',
        unit: 'entries/s',
        auditkit: rates.get('auditkit')?.perSecond ?? 0,
        raw: rates.get(p.label)?.perSecond ?? 0,
        seed: seedBulk,
      },
    })
  }
  cpu.push(cpuOf(`batches of ${BATCH}`, rates))
  const where =
    bench.engine === 'sqlite'
      ? 'SQLite runs in this process, so its work and system calls are included'
      : "the server's work is not included"
  const seedPaths = bench.seed.bulkPaths.map((p) => {
    const rate = rates.get(`seed ${p.label}`)?.perSecond ?? 0
    return `${p.label} ${Math.round(rate).toLocaleString('en-US')}/s`
  })
  const notes = [
    `The seed's design writes its batches of ${BATCH} both ways, the faster being its figure: ${seedPaths.join(', ')}.`,
    `This process's CPU time per entry written (user + system, median of the rounds; ${where}): ${cpu.join('; ')}.`,
  ]
  return { results, notes }
}
