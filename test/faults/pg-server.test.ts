import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { guardProcess, watchEventLoop } from '../support/fault-guards.js'
import { type PgServer, pgServerUnavailable, startPgServer } from '../support/pg-server.js'

// Skipped only where no PostgreSQL binaries are installed, never under CI=true.
const unavailable = await pgServerUnavailable()

describe.skipIf(unavailable)(`a private PostgreSQL server${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let server: PgServer

  beforeAll(async () => {
    server = await startPgServer()
  })
  afterAll(async () => {
    await server?.destroy()
  })

  test('runs apart from the shared server, on its own port and socket', async () => {
    expect(server.port).not.toBe(5432)
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`)
    const [row] = await server.query<{ port: string; fsync: string }>(
      "SELECT current_setting('port') AS port, current_setting('fsync') AS fsync",
    )
    expect(row).toEqual({ port: String(server.port), fsync: 'on' })
  })

  test('keeps a committed row across a crash and a restart', async () => {
    const guard = guardProcess()
    const client = new pg.Client({ connectionString: server.url })
    const clientErrors: Error[] = []
    client.on('error', (error) => clientErrors.push(error))
    try {
      await client.connect()
      await client.query('CREATE TABLE survivors (id int PRIMARY KEY, note text NOT NULL)')
      await client.query("INSERT INTO survivors VALUES (1, 'acknowledged before the crash')")

      await server.crash()
      await expect(client.query('SELECT 1')).rejects.toThrow()
      await expect(server.query('SELECT 1')).rejects.toThrow(/ECONNREFUSED|connect/)

      await server.start()
      expect(await server.query('SELECT id, note FROM survivors')).toEqual([
        { id: 1, note: 'acknowledged before the crash' },
      ])
      expect(await server.logTail()).toMatch(/database system was interrupted|not properly shut down/)
      guard.assertNone()
    } finally {
      guard.dispose()
      await client.end().catch(() => {})
    }
  })

  test('stops cleanly, starts again, and destroy() may be called twice', async () => {
    await server.stop()
    await server.stop()
    await server.start()
    expect(await server.query('SELECT count(*)::int AS n FROM survivors')).toEqual([{ n: 1 }])
    await server.destroy()
    await server.destroy()
    await expect(server.query('SELECT 1')).rejects.toThrow()
  })
})

describe('watchEventLoop', () => {
  test('reports a 250 ms busy loop as a stall of at least 200 ms', async () => {
    const watch = watchEventLoop({ histogram: true })
    await sleep(30)
    const until = performance.now() + 250
    while (performance.now() < until) {
      // Deliberately blocks the event loop.
    }
    await sleep(30)
    const report = watch.stop()
    expect(report.maxStallMs).toBeGreaterThanOrEqual(200)
    expect(report.delay?.maxMs).toBeGreaterThanOrEqual(200)
  })

  test('shows a quiet 300 ms as less than 100 ms', async () => {
    const watch = watchEventLoop()
    await sleep(300)
    expect(watch.maxStallMs()).toBeLessThan(100)
    expect(watch.stop().maxStallMs).toBeLessThan(100)
  })
})

describe('guardProcess', () => {
  test('records a deliberately unhandled rejection, and assertNone() names it', async () => {
    const guard = guardProcess()
    try {
      const marker = new Error('deliberately unhandled')
      void Promise.reject(marker)
      await sleep(20)
      expect(guard.errors).toEqual([marker])
      expect(() => guard.assertNone()).toThrow(/unhandled rejection: .*deliberately unhandled/s)
    } finally {
      guard.dispose()
    }
  })
})
