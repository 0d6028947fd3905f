// The load side of `--suite http`: autocannon in this process against the server child, with every
// response's latency kept (autocannon's own histogram rounds to whole milliseconds).
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { busyShare, machineCpu, type ServerChild } from './http-server.js'
import { type Latency, latencyOf } from './stats.js'

/** What one run of load measured, from both sides. */
export interface LoadFigure {
  /** 2xx responses per second over the run. */
  readonly perSecond: number
  readonly responses: number
  readonly seconds: number
  readonly latency: Latency
  /** Responses that were not 2xx, and connection errors: any makes the run void. */
  readonly failures: number
  /** CPU the server process used, in cores (CPU seconds / wall seconds). */
  readonly serverCores: number
  /** CPU this process (the load generator) used, in cores. */
  readonly loadCores: number
  /** The share of the machine's cores that was busy, 0..1. */
  readonly machineBusy: number
}

/** One load: the requests autocannon sends, over keep-alive connections. */
export interface Load {
  readonly connections: number
  readonly seconds: number
  readonly method?: 'GET' | 'POST'
  /** A fixed path, or a new one per request. */
  readonly path: string | (() => string)
  readonly headers: Record<string, string>
  readonly body?: string
}

function fire(server: ServerChild, load: Load, onResponse: (status: number, ms: number) => void): Promise<number> {
  const { path } = load
  const request: autocannon.Request = {
    method: load.method ?? 'GET',
    path: typeof path === 'string' ? path : path(),
    headers: load.headers,
    ...(load.body === undefined ? {} : { body: load.body }),
    ...(typeof path === 'string' ? {} : { setupRequest: (r: autocannon.Request) => ({ ...r, path: path() }) }),
  }
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: server.url, connections: load.connections, duration: load.seconds, requests: [request] },
      (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result.errors)),
    )
    instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms))
  })
}

/** Runs the load once for a second to warm up (off the record), then for `load.seconds`. */
export async function measureLoad(server: ServerChild, load: Load): Promise<LoadFigure> {
  let failed = 0
  failed += await fire(server, { ...load, seconds: 1 }, (status) => {
    if (status >= 300) failed++
  })
  if (failed > 0) throw new Error(`the warm-up of ${load.method ?? 'GET'} ${load.path} had ${failed} failures`)
  const samples: number[] = []
  let failures = 0
  const cpu = process.cpuUsage()
  const serverCpu = server.cpuSeconds()
  const machine = machineCpu()
  const start = performance.now()
  const errors = await fire(server, load, (status, ms) => {
    if (status < 300) samples.push(ms)
    else failures++
  })
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  return {
    perSecond: samples.length / seconds,
    responses: samples.length,
    seconds,
    latency: latencyOf(samples),
    failures: failures + errors,
    serverCores: (server.cpuSeconds() - serverCpu) / seconds,
    loadCores: (used.user + used.system) / 1e6 / seconds,
    machineBusy: busyShare(machine, machineCpu()),
  }
}
