import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { serve } from '@hono/node-server'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import { type AuditLog, createAuditLog, type Entry } from '../../src/index.js'
import { cli, ensureBuilt } from '../cli/cli-harness.js'
import { dropSchema, PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'

const user = () => crypto.randomUUID()
const input = (action = 'user_deleted', targetUserUuid = user()) => ({ action, targetUserUuid, adminUserUuid: user() })

/** One Server-Sent Event as the client sees it. */
interface SseEvent {
  readonly id: string | undefined
  readonly event: string | undefined
  readonly data: string
}

/** A live tail read with fetch and a small SSE parser: events in arrival order, comments dropped. */
interface Tail {
  readonly response: Response
  /** Waits until `n` events arrived in all (rejects after `timeoutMs`), and returns them all. */
  events(n: number, timeoutMs?: number): Promise<SseEvent[]>
  /** The uuids of the entry events so far. */
  uuids(): string[]
  close(): void
}

function parseEvent(block: string): SseEvent | undefined {
  const fields: Record<string, string> = {}
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const name = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (name === 'data') data.push(value)
    else fields[name] = value
  }
  return data.length === 0 ? undefined : { id: fields.id, event: fields.event, data: data.join('\n') }
}

async function openTail(base: string, path: string, headers: Record<string, string>): Promise<Tail> {
  const abort = new AbortController()
  const response = await fetch(`${base}${path}`, { headers, signal: abort.signal })
  const received: SseEvent[] = []
  if (response.ok && response.body !== null) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    void (async () => {
      let buffer = ''
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }))
        if (done) return
        buffer += value
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const event = parseEvent(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
          if (event !== undefined) received.push(event)
        }
      }
    })()
  }
  return {
    response,
    async events(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`${received.length} events of ${n} after ${timeoutMs} ms`)
        await sleep(20)
      }
      return [...received]
    },
    uuids: () => received.filter((e) => e.event === 'entry').map((e) => (JSON.parse(e.data) as Entry).uuid),
    close: () => abort.abort(),
  }
}

interface Engine {
  readonly name: string
  readonly skip?: string | undefined
  /** The server's log (sealing every 100 ms) and a second log on the same database that never seals. */
  open(): Promise<{ audit: AuditLog<string>; other: AuditLog<string>; cliArgs?: string[]; drop(): Promise<void> }>
}

const asLog = (log: unknown) => log as AuditLog<string>

const engines: Engine[] = [
  {
    name: 'SQLite file',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'auditkit-sse-'))
      const database = `sqlite:${join(dir, 'audit.db')}`
      const audit = asLog(await createAuditLog({ database, sealIntervalMs: 100 }))
      const other = asLog(await createAuditLog({ database, migrate: false, sealIntervalMs: 0 }))
      return { audit, other, cliArgs: ['--database', database], drop: async () => rmSync(dir, { recursive: true }) }
    },
  },
  {
    name: 'PostgreSQL',
    skip: await postgresUnavailable(),
    async open() {
      const schema = uniqueSchema('http_sse')
      const audit = asLog(await createAuditLog({ database: PG_URL, schema, sealIntervalMs: 100 }))
      const other = asLog(await createAuditLog({ database: PG_URL, schema, migrate: false, sealIntervalMs: 0 }))
      return { audit, other, drop: () => dropSchema(schema) }
    },
  },
]

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(
    `GET /v1/events/stream over a socket: ${engine.name}${engine.skip ? ` (skipped: ${engine.skip})` : ''}`,
    () => {
      let audit: AuditLog<string>
      let other: AuditLog<string>
      let cliArgs: string[] | undefined
      let drop: () => Promise<void>
      let server: Server
      let base: string
      let auth: Record<string, string>
      const shutdown = new AbortController()
      const tails: Tail[] = []
      const tail = async (path = '/v1/events/stream', headers: Record<string, string> = {}) => {
        const t = await openTail(base, path, { ...auth, ...headers })
        tails.push(t)
        return t
      }

      beforeAll(async () => {
        ;({ audit, other, cliArgs, drop } = await engine.open())
        const app = createAuditApp({ audit, signal: shutdown.signal })
        auth = { Authorization: `Bearer ${(await audit.createApiKey({ name: 'sse', scopes: ['read'] })).key}` }
        const port = await new Promise<number>((resolve) => {
          server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
            resolve(info.port),
          ) as Server
        })
        base = `http://127.0.0.1:${port}`
      })
      afterAll(async () => {
        for (const t of tails) t.close()
        shutdown.abort()
        const closed = new Promise((resolve) => server.close(resolve))
        // fetch (undici) keeps a socket open for seconds after an abort, and its idle ones alive.
        server.closeAllConnections()
        await closed
        await other.close({ seal: false })
        await audit.close()
        await drop()
      })

      test('an entry written after connecting arrives, as event "entry" with its seq as id', async () => {
        const t = await tail()
        expect(t.response.status).toBe(200)
        expect(t.response.headers.get('Content-Type')).toMatch(/^text\/event-stream/)
        const entry = await audit.createLogEntry(input())
        const [event] = await t.events(1)
        const sealed = (await audit.readSealed({ fromSeq: 0, toSeq: 10_000 })).find((e) => e.uuid === entry.uuid)
        expect(event).toEqual({ id: String(sealed?.seq), event: 'entry', data: expect.any(String) })
        expect(JSON.parse(event?.data ?? '')).toEqual(JSON.parse(JSON.stringify({ ...entry, seq: sealed?.seq })))
        t.close()
      })

      test('entries written by another log on the same database (and by another process) arrive', async () => {
        const t = await tail()
        const entry = await other.createLogEntry(input())
        const expected = [entry.uuid]
        if (cliArgs !== undefined) {
          ensureBuilt()
          const run = await cli([
            'log',
            '--action',
            'user_deleted',
            '--target',
            user(),
            '--admin',
            user(),
            '--format',
            'json',
            ...cliArgs,
          ])
          expect(run.code, run.stderr).toBe(0)
          expected.push((JSON.parse(run.stdout) as Entry).uuid)
        }
        await t.events(expected.length, 15_000)
        expect(t.uuids()).toEqual(expected)
        t.close()
      }, 30_000)

      test('Last-Event-ID resumes after that seq: nothing missed, nothing repeated; ?fromSeq starts at a seq', async () => {
        const first = await tail()
        const before = await audit.createLogEntries([input(), input(), input()])
        const seen = await first.events(3)
        first.close()
        const written = [...before, ...(await audit.createLogEntries([input(), input()]))]
        const resumed = await tail('/v1/events/stream', { 'Last-Event-ID': seen[1]?.id ?? '' })
        await resumed.events(3)
        await sleep(300)
        expect(resumed.uuids()).toEqual(written.slice(2).map((e) => e.uuid))
        const fromSeq = await tail(`/v1/events/stream?fromSeq=${seen[0]?.id}`)
        await fromSeq.events(5)
        expect(fromSeq.uuids()).toEqual(written.map((e) => e.uuid))
        // A reconnecting EventSource sends both: Last-Event-ID wins.
        const both = await tail(`/v1/events/stream?fromSeq=0`, { 'Last-Event-ID': seen[2]?.id ?? '' })
        await both.events(2)
        expect(both.uuids()).toEqual(written.slice(3).map((e) => e.uuid))
        for (const t of [resumed, fromSeq, both]) t.close()
      })

      test('filters apply in memory; a bad filter or resume point is a 400 problem before the stream', async () => {
        const target = user()
        const t = await tail(`/v1/events/stream?action=user_updated&targetUserUuid=${target.toUpperCase()}`)
        const any = await tail(`/v1/events/stream?userUuid=${target}`)
        await audit.createLogEntry(input('user_updated'))
        await audit.createLogEntry(input('user_deleted', target))
        const match = await audit.createLogEntry(input('user_updated', target))
        const sentinel = await audit.createLogEntry(input())
        const all = await tail(`/v1/events/stream?fromSeq=0`)
        await all.events(1)
        await sleep(400) // two poll rounds: the sentinel is sealed, and anything the filters let through has arrived
        expect((await all.events(1)).some((e) => e.data.includes(sentinel.uuid))).toBe(true)
        expect(t.uuids()).toEqual([match.uuid])
        expect(any.uuids()).toHaveLength(2)
        for (const x of [t, any, all]) x.close()

        const problem = async (path: string, headers: Record<string, string> = {}) => {
          const res = await fetch(`${base}${path}`, { headers: { ...auth, ...headers } })
          expect(res.headers.get('Content-Type')).toBe('application/problem+json')
          return { status: res.status, body: (await res.json()) as { errors?: { field: string }[] } }
        }
        const bad = await problem('/v1/events/stream?action=nope')
        expect(bad.status).toBe(400)
        expect(bad.body.errors?.[0]?.field).toBe('action')
        expect((await problem('/v1/events/stream?targetUserUuid=x')).status).toBe(400)
        expect((await problem('/v1/events/stream?limit=5')).body.errors?.[0]?.field).toBe('limit')
        expect((await problem('/v1/events/stream?batchSize=5')).body.errors?.[0]?.field).toBe('batchSize')
        expect((await problem('/v1/events/stream?fromSeq=-1')).body.errors?.[0]?.field).toBe('fromSeq')
        expect((await problem('/v1/events/stream', { 'Last-Event-ID': 'x' })).body.errors?.[0]?.field).toBe(
          'Last-Event-ID',
        )
        expect((await problem('/v1/events/stream', { Authorization: '' })).status).toBe(401)
      })

      test.skipIf(engine.name !== 'PostgreSQL')(
        `a late-committing using() transaction's entry arrives after the newer ones, exactly once${engine.name === 'PostgreSQL' ? '' : ' (PostgreSQL only: SQLite has one writer, no late commits)'}`,
        async () => {
          const t = await tail()
          const client = new pg.Client({ connectionString: PG_URL })
          await client.connect()
          try {
            await client.query('BEGIN')
            const late = await audit.using(client).createLogEntry(input())
            const newer = await audit.createLogEntries([input(), input()])
            await t.events(2)
            expect(t.uuids()).toEqual(newer.map((e) => e.uuid))
            await client.query('COMMIT')
            const events = await t.events(3)
            await sleep(500)
            expect(t.uuids()).toEqual([...newer.map((e) => e.uuid), late.uuid])
            const ids = events.map((e) => Number(e.id))
            expect(ids).toEqual([...ids].sort((a, b) => a - b))
          } finally {
            await client.end()
          }
          t.close()
        },
      )

      test('a shutdown signal ends the live tails, so that server.close() is not held open by them', async () => {
        const stop = new AbortController()
        const app = createAuditApp({ audit, signal: stop.signal })
        const res = await app.request('/v1/events/stream', { headers: auth })
        expect(res.status).toBe(200)
        stop.abort()
        await expect(res.text()).resolves.toBe('')
      })
    },
  )
}
