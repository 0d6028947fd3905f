import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import {
  type AuditLog,
  createAuditLog,
  type Entry,
  generateKeyPair,
  verifierKey,
  verifyCheckpoint,
} from '../../src/index.js'
import { expectProblem, httpEngines } from './http-engines.js'

const engines = await httpEngines('http_app')
const KEYS = generateKeyPair()
const user = () => crypto.randomUUID()

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(
    `auditkit/http in-process: ${engine.name}${engine.skip ? ` (skipped: ${engine.skip})` : ''}`,
    () => {
      let audit: AuditLog
      let drop: () => Promise<void>
      let app: ReturnType<typeof createAuditApp>
      let readKey: string
      let writeKey: string
      beforeAll(async () => {
        ;({ audit, drop } = await engine.open({ signingKey: KEYS.privateKey }))
        app = createAuditApp({ audit: audit as unknown as AuditLog<string>, maxBodyBytes: 64 * 1024 })
        readKey = (await audit.createApiKey({ name: 'reader', scopes: ['read'] })).key
        writeKey = (await audit.createApiKey({ name: 'writer', scopes: ['write'] })).key
      })
      afterAll(async () => {
        await audit.close()
        await drop()
      })
      const get = (path: string, key: string | null = readKey) =>
        app.request(path, { headers: key === null ? {} : { Authorization: `Bearer ${key}` } })
      const post = (body: string, headers: Record<string, string> = {}, key = writeKey) =>
        app.request('/v1/events', {
          method: 'POST',
          body,
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
        })
      test('health and readiness need no key', async () => {
        expect((await get('/healthz', null)).status).toBe(200)
        expect(await (await get('/readyz', null)).json()).toEqual({ ok: true })
      })

      test('keys: none or unknown or revoked is 401, the wrong scope 403, a key in the URL 400', async () => {
        const none = await get('/v1/events', null)
        await expectProblem(none, 401)
        expect(none.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
        await expectProblem(await get('/v1/events', 'ak_nope'), 401)
        await expectProblem(await get('/v1/events', writeKey), 403, /'read' scope/)
        await expectProblem(await post('{}', {}, readKey), 403, /'write' scope/)
        await expectProblem(await get(`/v1/events?api_key=${readKey}`, null), 400, /Authorization header/)
        const temporary = await audit.createApiKey({ name: 'temp', scopes: ['read'] })
        expect((await get('/v1/events', temporary.key)).status).toBe(200)
        await audit.revokeApiKey(temporary.id)
        await expectProblem(await get('/v1/events', temporary.key), 401)
      })

      test('POST /v1/events writes one entry (201); bad input is a 400 naming each field, and nothing is written', async () => {
        const hostile = `Mozilla/5.0 '); DROP TABLE x; -- <script>alert(1)</script> \u202e =cmd|' /C calc'!A0`
        const input = {
          targetUserUuid: user(),
          adminUserUuid: user(),
          action: 'user_locked',
          userAgent: hostile,
          metadata: { why: 'x' },
        }
        const res = await post(JSON.stringify(input))
        expect(res.status).toBe(201)
        const entry = (await res.json()) as Entry & { insertedAt: string }
        expect(entry).toMatchObject({ ...input, seq: null })
        const stored = await audit.getLog(entry.uuid)
        expect(stored.userAgent).toBe(hostile)
        expect(entry.insertedAt).toBe(stored.insertedAt.toISOString())
        const before = await audit.countLogs()
        const bad = await expectProblem(
          await post(JSON.stringify({ ...input, targetUserUuid: 'x', action: 'nope' })),
          400,
        )
        expect((bad.errors as { field: string }[]).map((e) => e.field)).toEqual(['targetUserUuid', 'action'])
        await expectProblem(await post('{"targetUserUuid":'), 400, /not valid JSON/)
        await expectProblem(await post(JSON.stringify(input), { 'Content-Type': 'text/plain' }), 415)
        await expectProblem(await post(JSON.stringify({ ...input, metadata: { big: 'x'.repeat(70 * 1024) } })), 413)
        expect(await audit.countLogs()).toBe(before)
      })

      test('POST /v1/events/batch writes all or nothing (201); each bad field named under entries', async () => {
        const batch = (body: unknown) =>
          app.request('/v1/events/batch', {
            method: 'POST',
            body: JSON.stringify(body),
            headers: { Authorization: `Bearer ${writeKey}`, 'Content-Type': 'application/json' },
          })
        const admin = user()
        const entries = Array.from({ length: 3 }, () => ({
          targetUserUuid: user(),
          adminUserUuid: admin,
          action: 'role_assigned',
        }))
        const res = await batch({ entries })
        expect(res.status).toBe(201)
        const written = (await res.json()) as Entry[]
        expect(written.map((e) => e.targetUserUuid)).toEqual(entries.map((e) => e.targetUserUuid))
        expect(await audit.countLogs({ adminUserUuid: admin })).toBe(3)
        const bad = await expectProblem(await batch({ entries: [entries[0], { ...entries[1], action: 'nope' }] }), 400)
        expect((bad.errors as { field: string }[]).map((e) => e.field)).toEqual(['entries[1].action'])
        expect(await audit.countLogs({ adminUserUuid: admin })).toBe(3)
        const roomy = createAuditApp({ audit: audit as unknown as AuditLog<string> }) // the default 4 MiB body limit
        const tooMany = await roomy.request('/v1/events/batch', {
          method: 'POST',
          body: JSON.stringify({ entries: Array.from({ length: 1001 }, () => entries[0]) }),
          headers: { Authorization: `Bearer ${writeKey}`, 'Content-Type': 'application/json' },
        })
        await expectProblem(tooMany, 400, /at most 1000/)
        const extra = await expectProblem(await batch({ entries, dryRun: true }), 400)
        expect((extra.errors as { field: string }[]).map((e) => e.field)).toEqual(['dryRun'])
        await expectProblem(await batch(entries), 400)
        await expectProblem(await batch({ entries: 'x' }), 400)
        expect(await audit.countLogs({ adminUserUuid: admin })).toBe(3)
      })

      test('GET /v1/events pages as pageLogs; count; one entry by uuid; unknown or repeated parameters are 400', async () => {
        const admin = user()
        for (let i = 0; i < 5; i++)
          await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: admin, action: 'user_created' })
        const first = (await (await get(`/v1/events?adminUserUuid=${admin}&limit=3`)).json()) as {
          entries: Entry[]
          nextCursor: string
        }
        expect(first.entries).toHaveLength(3)
        const second = (await (
          await get(`/v1/events?adminUserUuid=${admin}&limit=3&cursor=${first.nextCursor}`)
        ).json()) as {
          entries: Entry[]
          nextCursor: string | null
        }
        expect(second).toMatchObject({ nextCursor: null })
        const library = await audit.listLogs({ adminUserUuid: admin })
        expect([...first.entries, ...second.entries].map((e) => e.uuid)).toEqual(library.map((e) => e.uuid))
        expect(await (await get(`/v1/events/count?adminUserUuid=${admin}`)).json()).toEqual({ count: 5 })
        const one = (await (await get(`/v1/events/${library[0]?.uuid}`)).json()) as Entry
        expect(one.uuid).toBe(library[0]?.uuid)
        await expectProblem(await get(`/v1/events/${user()}`), 404)
        await expectProblem(await get('/v1/events/not-a-uuid'), 400)
        const unknown = await expectProblem(await get('/v1/events?sort=asc'), 400)
        expect((unknown.errors as { field: string }[]).map((e) => e.field)).toEqual(['sort'])
        await expectProblem(await get('/v1/events?limit=1&limit=2'), 400)
        // `action` repeats for any of several actions.
        const either = (await (await get('/v1/events?action=user_locked&action=user_created&limit=100')).json()) as {
          entries: Entry[]
        }
        expect(either.entries.map((e) => e.uuid)).toEqual(
          (await audit.listLogs({ action: ['user_locked', 'user_created'], limit: 100 })).map((e) => e.uuid),
        )
        expect(new Set(either.entries.map((e) => e.action))).toEqual(new Set(['user_locked', 'user_created']))
        await expectProblem(await get("/v1/events?action=' OR 1=1 --"), 400)
        await expectProblem(await get('/v1/events?limit=0'), 400)
        await expectProblem(await get('/v1/nothing-here'), 404)
        // Routes without parameters refuse any, by name.
        for (const path of [
          `/v1/events/${one.uuid}`,
          `/v1/events/${one.uuid}/proof`,
          '/v1/log',
          '/v1/log/checkpoint',
        ]) {
          const refused = await expectProblem(await get(`${path}?verbose=1&x=2`), 400)
          expect(
            (refused.errors as { field: string }[]).map((e) => e.field),
            path,
          ).toEqual(['verbose', 'x'])
        }
      })

      test('GET /metrics needs no key: requests by route pattern and status, entries written, tree size, seal lag', async () => {
        const admin = user()
        await post(JSON.stringify({ targetUserUuid: user(), adminUserUuid: admin, action: 'user_locked' }))
        const one = (await audit.listLogs({ adminUserUuid: admin }))[0] as Entry
        await get(`/v1/events/${one.uuid}`)
        await get('/v1/events', null)
        const res = await get('/metrics', null)
        expect(res.status).toBe(200)
        expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/)
        const text = await res.text()
        expect(text).toMatch(
          /auditkit_http_requests_total\{method="GET",route="\/v1\/events\/:uuid",status="200"\} [1-9]/,
        )
        expect(text).toMatch(/auditkit_http_requests_total\{method="GET",route="\/v1\/events",status="401"\} [1-9]/)
        expect(text).toMatch(
          /auditkit_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/events",status="201"\}/,
        )
        const written = Number(/^auditkit_entries_written_total (\d+)$/m.exec(text)?.[1])
        expect(written).toBeGreaterThanOrEqual(1)
        const head = await audit.treeHead()
        expect(text).toMatch(new RegExp(`^auditkit_tree_size ${head.treeSize}$`, 'm'))
        const lag = Number(/^auditkit_seal_lag_entries (\d+)$/m.exec(text)?.[1])
        expect(lag).toBe((await audit.countLogs()) - head.treeSize)
        expect(lag).toBeGreaterThan(0)
        const seconds = Number(/^auditkit_seal_lag_seconds ([\d.e-]+)$/m.exec(text)?.[1])
        expect(seconds).toBeGreaterThan(0)
        expect(seconds).toBeLessThan(600)
        await audit.seal()
        const after = await (await get('/metrics', null)).text()
        expect(after).toMatch(/^auditkit_seal_lag_entries 0$/m)
        expect(after).toMatch(/^auditkit_seal_lag_seconds 0$/m)
        expect(text).not.toContain(one.uuid)
        expect(text).not.toContain(readKey.slice(28))
      })

      test('the log: its head, and the newest checkpoint as text once one is signed', async () => {
        await expectProblem(await get('/v1/log/checkpoint'), 404)
        const cp = await audit.checkpoint()
        const note = await get('/v1/log/checkpoint')
        expect(note.status).toBe(200)
        expect(note.headers.get('Content-Type')).toMatch(/^text\/plain/)
        expect(await note.text()).toBe(cp.note)
        const info = (await (await get('/v1/log')).json()) as Record<string, string>
        expect(info).toEqual({
          origin: cp.origin,
          treeSize: cp.treeSize,
          rootHash: cp.rootHash,
          publicKey: KEYS.publicKey,
          verifierKey: verifierKey(KEYS.publicKey, cp.origin),
          actions: [...audit.actions],
        })
        // Either form of the served key opens the served checkpoint.
        expect(verifyCheckpoint(cp.note, info.publicKey as string).ok).toBe(true)
        expect(verifyCheckpoint(cp.note, info.verifierKey as string).ok).toBe(true)
      })
    },
  )
}

describe('auditkit/http when the database fails', () => {
  test('a database that does not answer is a 503 with Retry-After; a closed log a 500 that tells nothing', async () => {
    const down = await createAuditLog({
      database: 'postgres://postgres@127.0.0.1:1/test',
      migrate: false,
      sealIntervalMs: 0,
    })
    const app = createAuditApp({ audit: down as unknown as AuditLog<string> })
    const ready = await app.request('/readyz')
    expect(ready.status).toBe(503)
    expect(ready.headers.get('Retry-After')).toBe('5')
    expect(((await ready.json()) as { detail: string }).detail).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/)
    await down.close({ seal: false })
    const closed = await app.request('/readyz')
    expect(closed.status).toBe(500)
    expect(await closed.json()).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'internal error',
    })
  })
})
