import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import { type AuditLog, createAuditLog } from '../../src/index.js'
import { ensureBuilt, ROOT } from '../cli/cli-harness.js'
import { httpEngines } from './http-engines.js'

const user = () => crypto.randomUUID()
const event = () => ({
  targetUserUuid: user(),
  adminUserUuid: user(),
  action: 'user_locked',
  userAgent: "'); DROP TABLE x; --",
})
type Body = Record<string, unknown>

for (const engine of await httpEngines('http_idem')) {
  describe.skipIf(engine.skip !== undefined)(
    `Idempotency-Key: ${engine.name}${engine.skip ? ` (skipped: ${engine.skip})` : ''}`,
    () => {
      let audit: AuditLog
      let drop: () => Promise<void>
      let app: ReturnType<typeof createAuditApp>
      let writeKey: string
      beforeAll(async () => {
        ;({ audit, drop } = await engine.open())
        app = createAuditApp({ audit: audit as unknown as AuditLog<string> })
        writeKey = (await audit.createApiKey({ name: 'writer', scopes: ['write'] })).key
      })
      afterAll(async () => {
        await audit.close()
        await drop()
      })
      const post = (path: string, body: unknown, key?: string) =>
        app.request(path, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: {
            Authorization: `Bearer ${writeKey}`,
            'Content-Type': 'application/json',
            ...(key === undefined ? {} : { 'Idempotency-Key': key }),
          },
        })
      const withoutSeq = ({ seq: _, ...rest }: Body) => rest

      test('a retry with the same key and body answers as the first did, marked as a replay, and writes nothing', async () => {
        const before = await audit.countLogs()
        const body = event()
        const first = await post('/v1/events', body, 'one-1')
        expect(first.status).toBe(201)
        expect(first.headers.get('Idempotent-Replayed')).toBeNull()
        const written = (await first.json()) as Body
        const again = await post('/v1/events', body, 'one-1')
        expect(again.status).toBe(201)
        expect(again.headers.get('Idempotent-Replayed')).toBe('true')
        expect(withoutSeq((await again.json()) as Body)).toEqual(withoutSeq(written))
        expect(written.userAgent).toBe(body.userAgent)
        expect(await audit.countLogs()).toBe(before + 1)

        const batch = { entries: [event(), event(), event()] }
        const firstBatch = (await (await post('/v1/events/batch', batch, 'batch-1')).json()) as Body[]
        const replay = await post('/v1/events/batch', batch, 'batch-1')
        expect(replay.headers.get('Idempotent-Replayed')).toBe('true')
        expect(((await replay.json()) as Body[]).map(withoutSeq)).toEqual(firstBatch.map(withoutSeq))
        expect(await audit.countLogs()).toBe(before + 4)
        // Without a key, the same body is written again.
        expect((await post('/v1/events', body)).status).toBe(201)
        expect(await audit.countLogs()).toBe(before + 5)
      })

      test('the same key with another body, or on the other route, is a 409 problem and writes nothing', async () => {
        const body = event()
        expect((await post('/v1/events', body, 'conflict-1')).status).toBe(201)
        const before = await audit.countLogs()
        for (const [path, other] of [
          ['/v1/events', { ...body, action: 'user_unlocked' }],
          ['/v1/events', event()],
          ['/v1/events/batch', { entries: [body] }],
        ] as const) {
          const res = await post(path, other, 'conflict-1')
          expect(res.status).toBe(409)
          expect(res.headers.get('Content-Type')).toBe('application/problem+json')
          const problem = (await res.json()) as Body
          expect(problem).toMatchObject({ type: 'about:blank', title: 'Conflict', status: 409 })
          expect(problem.detail).toMatch(/Idempotency-Key/)
        }
        expect(await audit.countLogs()).toBe(before)
      })

      test('concurrent requests with one key write exactly one entry', async () => {
        const before = await audit.countLogs()
        const body = event()
        const responses = await Promise.all(Array.from({ length: 16 }, () => post('/v1/events', body, 'race-1')))
        expect(responses.map((r) => r.status)).toEqual(Array(16).fill(201))
        expect(responses.filter((r) => r.headers.get('Idempotent-Replayed') === null)).toHaveLength(1)
        const uuids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as Body).uuid)))
        expect(uuids.size).toBe(1)
        expect(await audit.countLogs()).toBe(before + 1)
      })

      test('a bad key is a 400 naming the header; a bad body with a key claims nothing', async () => {
        for (const key of ['x'.repeat(256), 'has space']) {
          const res = await post('/v1/events', event(), key)
          expect(res.status).toBe(400)
          expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
            'Idempotency-Key',
          ])
        }
        const bad = await post('/v1/events', { ...event(), action: 'nope' }, 'claim-1')
        expect(bad.status).toBe(400)
        expect(((await bad.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['action'])
        const badBatch = await post(
          '/v1/events/batch',
          { entries: [event(), { ...event(), ipAddress: 'x' }] },
          'claim-2',
        )
        expect(((await badBatch.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
          'entries[1].ipAddress',
        ])
        expect((await post('/v1/events', event(), 'claim-1')).headers.get('Idempotent-Replayed')).toBeNull()
      })
    },
  )
}

describe('Idempotency-Key across a crash', () => {
  let dir: string
  beforeAll(() => {
    ensureBuilt()
    dir = mkdtempSync(join(tmpdir(), 'auditkit-idem-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('a server killed after the write, before its answer: the retry replays the entry, written once', async () => {
    const file = join(dir, 'audit.db')
    const setup = await createAuditLog({ database: `sqlite:${file}`, sealIntervalMs: 0 })
    const key = (await setup.createApiKey({ name: 'writer', scopes: ['write'] })).key
    await setup.close()
    const body = JSON.stringify(event())
    // The "server": handles the request (the entry and the key's record commit), then dies by
    // SIGKILL before a single byte of the answer leaves it. It reports the uuid on stderr first.
    const script = `
      import { createAuditLog } from './dist/index.js'
      import { createAuditApp } from './dist/http.js'
      const audit = await createAuditLog({ database: ${JSON.stringify(`sqlite:${file}`)}, sealIntervalMs: 0 })
      const res = await createAuditApp({ audit }).request('/v1/events', { method: 'POST', body: process.env.BODY,
        headers: { Authorization: 'Bearer ' + process.env.KEY, 'Content-Type': 'application/json', 'Idempotency-Key': 'crash-1' } })
      process.stderr.write(String(res.status) + ' ' + (await res.json()).uuid + '\\n')
      process.kill(process.pid, 'SIGKILL')
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, BODY: body, KEY: key },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, s) => resolve(s)))
    expect(signal).toBe('SIGKILL')
    const [status, lostUuid] = stderr.trim().split(' ')
    expect(status).toBe('201')

    const audit = await createAuditLog({ database: `sqlite:${file}`, sealIntervalMs: 0 })
    try {
      const retry = await createAuditApp({ audit: audit as unknown as AuditLog<string> }).request('/v1/events', {
        method: 'POST',
        body,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'crash-1' },
      })
      expect(retry.status).toBe(201)
      expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
      expect(((await retry.json()) as Body).uuid).toBe(lostUuid)
      expect(await audit.countLogs()).toBe(1)
    } finally {
      await audit.close()
    }
  })
})
