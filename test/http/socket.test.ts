import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import { type AuditLog, generateKeyPair, verifyConsistencyProof, verifyEntryInclusion } from '../../src/index.js'
import { expectProblem, httpEngines } from './http-engines.js'

// Every route and every error status over a real socket (node:http through @hono/node-server):
// what app.request() cannot show (Content-Length, chunked bodies, the body limit on the wire).

const KEYS = generateKeyPair()
const user = () => crypto.randomUUID()
const event = (action = 'user_locked') => ({ targetUserUuid: user(), adminUserUuid: user(), action })

for (const engine of await httpEngines('http_socket')) {
  describe.skipIf(engine.skip !== undefined)(
    `auditkit/http over a socket: ${engine.name}${engine.skip ? ` (skipped: ${engine.skip})` : ''}`,
    () => {
      let audit: AuditLog
      let drop: () => Promise<void>
      let server: Server
      let base: string
      let readKey: string
      let writeKey: string
      let revokedKey: string
      beforeAll(async () => {
        ;({ audit, drop } = await engine.open({ signingKey: KEYS.privateKey }))
        const app = createAuditApp({ audit: audit as unknown as AuditLog<string>, maxBodyBytes: 16 * 1024 })
        server = createAdaptorServer({ fetch: app.fetch }) as Server
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        readKey = (await audit.createApiKey({ name: 'reader', scopes: ['read'] })).key
        writeKey = (await audit.createApiKey({ name: 'writer', scopes: ['write'] })).key
        const revoked = await audit.createApiKey({ name: 'gone', scopes: ['read', 'write'] })
        await audit.revokeApiKey(revoked.id)
        revokedKey = revoked.key
      })
      afterAll(async () => {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
        await audit.close()
        await drop()
      })
      const get = (path: string, key: string | null = readKey, headers: Record<string, string> = {}) =>
        fetch(`${base}${path}`, {
          headers: { ...(key === null ? {} : { Authorization: `Bearer ${key}` }), ...headers },
        })
      const post = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}, key = writeKey) =>
        fetch(`${base}${path}`, {
          method: 'POST',
          body,
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
        })
      test('every route answers over the socket with its status and type', async () => {
        expect((await get('/healthz', null)).status).toBe(200)
        expect((await get('/readyz', null)).status).toBe(200)
        expect((await get('/metrics', null)).headers.get('Content-Type')).toMatch(/^text\/plain/)
        expect(((await (await get('/openapi.json', null)).json()) as { openapi: string }).openapi).toBe('3.1.0')

        const one = await post('/v1/events', JSON.stringify(event()), { 'Idempotency-Key': `s-${engine.name}` })
        expect(one.status).toBe(201)
        const entry = (await one.json()) as { uuid: string; seq: number | null }
        const replay = await post('/v1/events', JSON.stringify(event()), { 'Idempotency-Key': `s-${engine.name}` })
        await expectProblem(replay, 409)
        const batch = await post('/v1/events/batch', JSON.stringify({ entries: [event(), event('user_deleted')] }))
        expect(batch.status).toBe(201)
        expect(((await batch.json()) as unknown[]).length).toBe(2)

        const page = (await (await get('/v1/events?limit=2')).json()) as { entries: unknown[]; nextCursor: string }
        expect(page.entries).toHaveLength(2)
        const next = (await (await get(`/v1/events?limit=2&cursor=${encodeURIComponent(page.nextCursor)}`)).json()) as {
          entries: unknown[]
        }
        expect(next.entries).toHaveLength(1)
        expect(await (await get('/v1/events/count?action=user_deleted')).json()).toEqual({ count: 1 })
        expect(((await (await get(`/v1/events/${entry.uuid}`)).json()) as { uuid: string }).uuid).toBe(entry.uuid)
        await expectProblem(await get(`/v1/events/${entry.uuid}/proof`), 409) // not sealed yet

        const csv = await get('/v1/events/export?format=csv')
        expect(csv.headers.get('Content-Disposition')).toMatch(/^attachment/)
        expect((await csv.text()).trim().split('\n')).toHaveLength(4)

        await audit.seal()
        const cp1 = await audit.checkpoint()
        const proof = (await (await get(`/v1/events/${entry.uuid}/proof`)).json()) as {
          entry: Parameters<typeof verifyEntryInclusion>[0]
          proof: Parameters<typeof verifyEntryInclusion>[1]
          checkpoint: string
        }
        const served = await (await get('/v1/log/checkpoint')).text()
        expect(served).toBe(cp1.note)
        expect(verifyEntryInclusion(proof.entry, proof.proof, served, KEYS.publicKey, { origin: cp1.origin }).ok).toBe(
          true,
        )
        const info = (await (await get('/v1/log')).json()) as { treeSize: number; publicKey: string }
        expect(info).toMatchObject({ treeSize: 3, publicKey: KEYS.publicKey })
        const exported = await get('/v1/log/export')
        expect((await exported.text()).trim().split('\n')).toHaveLength(3)

        await post('/v1/events', JSON.stringify(event()))
        const cp2 = await audit.checkpoint()
        const consistency = await (await get(`/v1/log/consistency?from=${cp1.treeSize}&to=${cp2.treeSize}`)).json()
        expect(verifyConsistencyProof(consistency as never, cp1.note, cp2.note, KEYS.publicKey).ok).toBe(true)

        const stream = await get('/v1/events/stream?fromSeq=0')
        expect(stream.headers.get('Content-Type')).toMatch(/^text\/event-stream/)
        const reader = (stream.body as ReadableStream<Uint8Array>).getReader()
        let text = ''
        while ((text.match(/^id: /gm) ?? []).length < 4) text += new TextDecoder().decode((await reader.read()).value)
        await reader.cancel()
        expect(text.match(/^id: (\d+)$/gm)).toEqual(['id: 0', 'id: 1', 'id: 2', 'id: 3'])
      })

      test('every error status over the socket, as problem+json', async () => {
        await expectProblem(await get('/v1/events', null), 401)
        await expectProblem(await get('/v1/events', 'ak_not_a_key'), 401)
        await expectProblem(await get('/v1/events', revokedKey), 401)
        await expectProblem(await get('/v1/events', writeKey), 403)
        await expectProblem(await post('/v1/events', JSON.stringify(event()), {}, readKey), 403)
        await expectProblem(await get(`/v1/events?key=${readKey}`), 400)
        await expectProblem(await get(`/v1/events/${user()}`), 404)
        await expectProblem(await get('/v1/nowhere'), 404)
        await expectProblem(await post('/v1/events', '{"action":'), 400)
        await expectProblem(await post('/v1/events', JSON.stringify(event()), { 'Content-Type': 'text/plain' }), 415)
        // Over the limit, with a Content-Length and streamed in chunks (no length): both 413.
        const big = JSON.stringify({ ...event(), metadata: { pad: 'x'.repeat(32 * 1024) } })
        await expectProblem(await post('/v1/events', big), 413)
        const chunked = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < 8; i++)
              controller.enqueue(new TextEncoder().encode(big.slice(i * 5000, (i + 1) * 5000)))
            controller.enqueue(new TextEncoder().encode(big.slice(40_000)))
            controller.close()
          },
        })
        const streamed = await fetch(`${base}/v1/events`, {
          method: 'POST',
          body: chunked,
          duplex: 'half',
          headers: { Authorization: `Bearer ${writeKey}`, 'Content-Type': 'application/json' },
        } as RequestInit)
        await expectProblem(streamed, 413)
        const invalid = await expectProblem(
          await post('/v1/events', JSON.stringify({ ...event(), action: 'nope' })),
          400,
        )
        expect((invalid.errors as { field: string }[]).map((e) => e.field)).toEqual(['action'])
        // A hostile user agent round-trips exactly.
        const hostile = "Mozilla/5.0 '); DROP TABLE auditkit_entries; -- <script>alert(1)</script> \u202e"
        const written = await post('/v1/events', JSON.stringify({ ...event(), userAgent: hostile }))
        const { uuid } = (await written.json()) as { uuid: string }
        expect(((await (await get(`/v1/events/${uuid}`)).json()) as { userAgent: string }).userAgent).toBe(hostile)
      })
    },
  )
}
