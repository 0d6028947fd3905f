import { monitorEventLoopDelay } from 'node:perf_hooks'
import { inspect } from 'node:util'
import { afterEach, beforeAll, beforeEach } from 'vitest'

/** What {@link guardProcess} returns. */
export interface ProcessGuard {
  /** Every uncaught exception and unhandled rejection reason seen since the guard was installed. */
  readonly errors: unknown[]
  /** Throws an Error listing everything caught, if anything was. */
  assertNone(): void
  /** Removes the listeners; idempotent. */
  dispose(): void
}

/**
 * Records every `uncaughtException` and `unhandledRejection` of this process, so a fault test can
 * assert that injecting a fault left no stray error behind (an unhandled 'error' event on a pg
 * client, a rejected promise nobody awaited).
 *
 * Vitest's worker reports these itself only while its own listener is the sole one, so while a
 * guard is installed vitest stays silent and `assertNone()` is the only check: call it (for
 * example in `afterEach`) before `dispose()`.
 *
 * @example
 * const guard = guardProcess()
 * await server.crash()
 * guard.assertNone()
 * guard.dispose()
 */
export function guardProcess(): ProcessGuard {
  const errors: unknown[] = []
  const kinds: string[] = []
  const record = (kind: string) => (error: unknown) => {
    errors.push(error)
    kinds.push(kind)
  }
  const onException = record('uncaught exception')
  const onRejection = record('unhandled rejection')
  process.on('uncaughtException', onException)
  process.on('unhandledRejection', onRejection)
  return {
    errors,
    assertNone() {
      if (errors.length === 0) return
      const list = errors.map((error, i) => `  ${kinds[i]}: ${inspect(error, { depth: 2 })}`)
      throw new Error(`${errors.length} stray error(s) in the test process:\n${list.join('\n')}`)
    },
    dispose() {
      process.off('uncaughtException', onException)
      process.off('unhandledRejection', onRejection)
    },
  }
}

/** Options for {@link watchEventLoop}. */
export interface EventLoopWatchOptions {
  /** Tick interval of the probe timer; default 10 ms. */
  intervalMs?: number
  /** Also sample `perf_hooks.monitorEventLoopDelay`; default false. */
  histogram?: boolean
}

/** The result of {@link EventLoopWatch.stop}. */
export interface EventLoopReport {
  /** The longest time the probe timer fired late, beyond its interval. */
  maxStallMs: number
  /**
   * Raw figures from `monitorEventLoopDelay`, when requested and it has samples. Node's samples
   * include the sampling period, so an idle loop shows about `intervalMs` here, not 0.
   */
  delay?: { maxMs: number; p99Ms: number; meanMs: number }
}

/** What {@link watchEventLoop} returns. */
export interface EventLoopWatch {
  /** The longest stall so far, counting a stall still in progress. */
  maxStallMs(): number
  /** Stops measuring (idempotent) and reports. */
  stop(): EventLoopReport
}

/**
 * Measures event-loop stalls of the test process only: a server, a worker or a child process
 * can block as long as it likes without showing here. A 10 ms timer (deliberately not unref'd,
 * so it keeps ticking while measured) records how late each tick fires; synchronous work such as
 * a blocking driver call or a long hash loop shows up as a stall of about its duration.
 *
 * @example
 * const watch = watchEventLoop()
 * await writeManyEntries()
 * expect(watch.stop().maxStallMs).toBeLessThan(100)
 */
export function watchEventLoop(options: EventLoopWatchOptions = {}): EventLoopWatch {
  const intervalMs = options.intervalMs ?? 10
  const histogram = options.histogram ? monitorEventLoopDelay({ resolution: intervalMs }) : undefined
  histogram?.enable()
  let last = performance.now()
  let max = 0
  const timer = setInterval(() => {
    const now = performance.now()
    max = Math.max(max, now - last - intervalMs)
    last = now
  }, intervalMs)
  let report: EventLoopReport | undefined
  const current = () => Math.max(max, performance.now() - last - intervalMs, 0)
  return {
    maxStallMs: () => report?.maxStallMs ?? current(),
    stop() {
      if (report) return report
      clearInterval(timer)
      histogram?.disable()
      report = { maxStallMs: current() }
      if (histogram && histogram.count > 0) {
        const ms = (ns: number) => ns / 1e6
        report.delay = { maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), meanMs: ms(histogram.mean) }
      }
      return report
    },
  }
}

/** What {@link watchBlocking} reports. */
export interface BlockingReport {
  /** The longest time the probe fired late (what watchEventLoop measures): includes time descheduled. */
  readonly wallMs: number
  /** The longest late firing this process spent on CPU: the loop was busy, not waiting for a core. */
  readonly blockedMs: number
}

/**
 * Like watchEventLoop, and also counts, for every late tick, the CPU time the process used in the
 * gap. On a shared machine a process waiting for a core is late without having blocked anything;
 * synchronous work (auditkit's or the test's) uses the CPU for the whole gap. The smaller of the
 * two figures is the stall the code caused.
 */
export function watchBlocking(intervalMs = 10): { stop(): BlockingReport } {
  const wall = watchEventLoop({ intervalMs })
  const cpuNow = () => {
    const { user, system } = process.cpuUsage()
    return (user + system) / 1000
  }
  let last = performance.now()
  let lastCpu = cpuNow()
  let blocked = 0
  const tick = () => {
    const now = performance.now()
    const cpu = cpuNow()
    blocked = Math.max(blocked, Math.min(now - last - intervalMs, cpu - lastCpu))
    last = now
    lastCpu = cpu
  }
  const timer = setInterval(tick, intervalMs)
  let report: BlockingReport | undefined
  return {
    stop() {
      if (report) return report
      clearInterval(timer)
      tick()
      report = { wallMs: wall.stop().maxStallMs, blockedMs: Math.max(0, blocked) }
      return report
    },
  }
}

/** The longest stall {@link assertNoStall} accepts, in ms: on the CPU, and late at all. */
export const STALL_LIMIT_MS = { blocked: 100, wall: 250 }

/**
 * Throws when the report shows a stall: 100 ms or more of synchronous work (blockedMs), or the
 * loop 250 ms or more late whatever it did (wallMs: a synchronous sleep, such as SQLite's busy
 * handler waiting for a lock, uses no CPU and shows only there; the wider bound leaves room for
 * a process waiting for a core on a loaded machine).
 */
export function assertNoStall(report: BlockingReport, what = 'the event loop'): void {
  if (report.blockedMs >= STALL_LIMIT_MS.blocked || report.wallMs >= STALL_LIMIT_MS.wall) {
    throw new Error(
      `${what} stalled: ${Math.round(report.blockedMs)} ms blocked, ${Math.round(report.wallMs)} ms late ` +
        `(limits ${STALL_LIMIT_MS.blocked} and ${STALL_LIMIT_MS.wall} ms)`,
    )
  }
}

/**
 * Guards every test of the enclosing suite (vitest's beforeEach and afterEach): a test after which
 * an uncaught exception or unhandled rejection was recorded fails; with `stalls`, so does a test
 * during which the event loop stalled (see {@link assertNoStall}), whatever the test was doing.
 */
export function guardEachTest(options: { stalls?: boolean } = {}): void {
  let guard: ProcessGuard | undefined
  let watch: { stop(): BlockingReport } | undefined
  // Loading the drivers (a native addon, modules compiled on first use) is a one-time synchronous
  // cost of the process, not a stall auditkit causes: paid before the first guarded test.
  if (options.stalls) {
    beforeAll(async () => {
      const { createAuditLog } = await import('../../src/index.js')
      await (await createAuditLog({ database: 'sqlite::memory:', sealIntervalMs: 0 })).close()
    })
  }
  beforeEach(() => {
    guard = guardProcess()
    if (options.stalls) watch = watchBlocking()
  })
  afterEach(() => {
    try {
      guard?.assertNone()
      if (watch !== undefined) assertNoStall(watch.stop(), 'the event loop, during the test,')
    } finally {
      guard?.dispose()
      watch?.stop()
    }
  })
}
