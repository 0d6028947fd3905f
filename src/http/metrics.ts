import type { Hono, MiddlewareHandler } from 'hono'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { AuditLog, SealLag } from '../index.js'

/** The service's Prometheus metrics, in a registry of its own (two apps in one process do not mix). */
export interface AppMetrics {
  readonly registry: Registry
  /** Times every request by route pattern and status. */
  readonly middleware: MiddlewareHandler
  /** Counts entries the service wrote. */
  entriesWritten(n: number): void
}

/**
 * Request counts and latency by route and status, entries written, and, read from the log at
 * each scrape, the tree size and the seal lag (entries committed but not sealed yet, and the age
 * of the oldest of them).
 */
export function appMetrics(audit: AuditLog<string>): AppMetrics {
  const registry = new Registry()
  const labelNames = ['method', 'route', 'status'] as const
  const requests = new Counter({
    name: 'auditkit_http_requests_total',
    help: 'HTTP requests',
    labelNames,
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'auditkit_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const written = new Counter({
    name: 'auditkit_entries_written_total',
    help: 'Entries written through the service',
    registers: [registry],
  })
  new Gauge({
    name: 'auditkit_tree_size',
    help: 'Entries sealed into the tree',
    registers: [registry],
    async collect() {
      this.set((await audit.treeHead()).treeSize)
    },
  })
  // One sealLag() per scrape serves both gauges (prom-client collects them concurrently).
  let lag: Promise<SealLag> | null = null
  const sealLag = () => {
    lag ??= audit.sealLag().finally(() => {
      lag = null
    })
    return lag
  }
  new Gauge({
    name: 'auditkit_seal_lag_entries',
    help: 'Entries committed but not sealed yet',
    registers: [registry],
    async collect() {
      this.set((await sealLag()).entries)
    },
  })
  new Gauge({
    name: 'auditkit_seal_lag_seconds',
    help: 'Seconds since the oldest entry not sealed yet was written (0 when none waits)',
    registers: [registry],
    async collect() {
      this.set((await sealLag()).seconds)
    },
  })
  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      // The route pattern, never the path: a uuid in a label would grow the series without bound.
      const labels = { method: c.req.method, route: c.req.routePath, status: String(c.res.status) }
      requests.inc(labels)
      latency.observe(labels, (performance.now() - started) / 1000)
    }
  }
  return { registry, middleware, entriesWritten: (n) => written.inc(n) }
}

/** `GET /metrics` in the Prometheus text format; needs no key. */
export function registerMetrics(app: Hono, metrics: AppMetrics): void {
  app.get('/metrics', async (c) =>
    c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  )
}
