// The library side of the HTTP write benchmark: what `POST /v1/events` does for each request
// (createLogEntry on a log opened as `auditkit serve` opens it: migrate off, the same seal interval),
// with the same number of writes in flight as autocannon has connections, in a process of its own
// as the server is. Usage:
//   node bench/http-child.mjs '<json: { database, table, schema?, sealIntervalMs, inFlight, seconds, input }>'
// Prints one JSON line: { entries, seconds, latencies: { p50, p99 }, cores, machineBusy }.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { createAuditLog } from '../dist/index.js'

const WARM_UP_MS = 1000

function machineCpu() {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((s, v) => s + v, 0)
  return { busy: total - ticks[3] - ticks[4], total }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]
}

const o = JSON.parse(process.argv[2])
const audit = await createAuditLog({
  database: o.database,
  table: o.table,
  ...(o.schema ? { schema: o.schema } : {}),
  migrate: false,
  sealIntervalMs: o.sealIntervalMs,
})

/** Keeps `inFlight` createLogEntry calls going until `ms` have passed; each call's latency into `samples`. */
async function load(ms, samples) {
  const end = performance.now() + ms
  await Promise.all(
    Array.from({ length: o.inFlight }, async () => {
      while (performance.now() < end) {
        const t = performance.now()
        await audit.createLogEntry(o.input)
        samples.push(performance.now() - t)
      }
    }),
  )
}

await load(WARM_UP_MS, [])
const samples = []
const cpu = process.cpuUsage()
const machine = machineCpu()
const start = performance.now()
await load(o.seconds * 1000, samples)
const seconds = (performance.now() - start) / 1000
const used = process.cpuUsage(cpu)
const after = machineCpu()
await audit.close()
samples.sort((a, b) => a - b)
process.stdout.write(
  `${JSON.stringify({
    entries: samples.length,
    seconds,
    latencies: { p50: percentile(samples, 50), p99: percentile(samples, 99) },
    cores: (used.user + used.system) / 1e6 / seconds,
    machineBusy: (after.busy - machine.busy) / (after.total - machine.total),
  })}\n`,
)
