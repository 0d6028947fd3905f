import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import createClient from 'openapi-fetch'
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import { type AuditLog, createAuditLog, generateKeyPair, verifyEntryInclusion } from '../../src/index.js'
import type { components, paths } from './generated/auditkit-api.js'

// A client generated from GET /openapi.json (openapi-typescript + openapi-fetch), against a real
// listening server: `npm run typecheck` fails when the document and these uses disagree.

type Entry = components['schemas']['Entry']
type Problem = components['schemas']['Problem']

const KEYS = generateKeyPair()

describe('a client generated from the OpenAPI document', () => {
  let audit: AuditLog
  let server: Server
  let writer: ReturnType<typeof createClient<paths>>
  let reader: ReturnType<typeof createClient<paths>>
  const target = crypto.randomUUID()
  const admin = crypto.randomUUID()

  beforeAll(async () => {
    audit = await createAuditLog({ database: 'sqlite::memory:', sealIntervalMs: 0, signingKey: KEYS.privateKey })
    const app = createAuditApp({ audit: audit as unknown as AuditLog<string> })
    server = createAdaptorServer({ fetch: app.fetch }) as Server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const bearer = async (scopes: ('read' | 'write')[]) =>
      `Bearer ${(await audit.createApiKey({ name: scopes.join('+'), scopes })).key}`
    writer = createClient<paths>({ baseUrl, headers: { Authorization: await bearer(['write']) } })
    reader = createClient<paths>({ baseUrl, headers: { Authorization: await bearer(['read']) } })
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await audit.close()
  })

  test('writes one entry and a batch, typed', async () => {
    const one = await writer.POST('/v1/events', {
      params: { header: { 'Idempotency-Key': `one-${target}` } },
      body: { targetUserUuid: target, adminUserUuid: admin, action: 'user_locked', metadata: { reason: 'fraud' } },
    })
    expect(one.response.status).toBe(201)
    if (one.data === undefined) throw new Error(`no entry: ${JSON.stringify(one.error)}`)
    expectTypeOf(one.data).toEqualTypeOf<Entry>()
    const seq: number | null = one.data.seq
    expect(seq).toBeNull()
    expect(one.data).toMatchObject({ targetUserUuid: target, action: 'user_locked', metadata: { reason: 'fraud' } })

    const batch = await writer.POST('/v1/events/batch', {
      body: {
        entries: [
          { targetUserUuid: target, adminUserUuid: admin, action: 'user_unlocked', ipAddress: '10.0.0.1' },
          { targetUserUuid: crypto.randomUUID(), adminUserUuid: admin, action: 'role_assigned' },
        ],
      },
    })
    expect(batch.response.status).toBe(201)
    const written: Entry[] = batch.data ?? []
    expect(written.map((e) => e.action)).toEqual(['user_unlocked', 'role_assigned'])
    const ip: string | null = written[0]?.ipAddress ?? null
    expect(ip).toBe('10.0.0.1')
  })

  test('lists with a filter, counts and reads one entry', async () => {
    const page = await reader.GET('/v1/events', { params: { query: { targetUserUuid: target, limit: 10 } } })
    if (page.data === undefined) throw new Error(`no page: ${JSON.stringify(page.error)}`)
    const actions: string[] = page.data.entries.map((e) => e.action)
    expect(actions.sort()).toEqual(['user_locked', 'user_unlocked'])
    const nextCursor: string | null = page.data.nextCursor
    expect(nextCursor).toBeNull()

    const count = await reader.GET('/v1/events/count', { params: { query: { adminUserUuid: admin } } })
    const n: number | undefined = count.data?.count
    expect(n).toBe(3)

    const [first] = page.data.entries
    if (first === undefined) throw new Error('empty page')
    const one = await reader.GET('/v1/events/{uuid}', { params: { path: { uuid: first.uuid } } })
    const insertedAt: string | undefined = one.data?.insertedAt
    expect(insertedAt).toBe(first.insertedAt)
    expect(new Date(insertedAt as string).toISOString()).toBe(insertedAt)
  })

  test('fetches a proof the library verifies', async () => {
    const page = await reader.GET('/v1/events', { params: { query: { action: ['user_locked'] } } })
    const uuid = page.data?.entries[0]?.uuid as string
    const unsealed = await reader.GET('/v1/events/{uuid}/proof', { params: { path: { uuid } } })
    expect(unsealed.response.status).toBe(409)
    await audit.seal()
    const { data, error } = await reader.GET('/v1/events/{uuid}/proof', { params: { path: { uuid } } })
    if (data === undefined) throw new Error(`no proof: ${JSON.stringify(error)}`)
    const auditPath: string[] = data.proof.auditPath
    expect(auditPath.length).toBeGreaterThan(0)
    const log = await reader.GET('/v1/log')
    const origin: string = log.data?.origin ?? ''
    const result = verifyEntryInclusion(data.entry, data.proof, data.checkpoint, KEYS.publicKey, { origin })
    expect(result).toMatchObject({ ok: true })
    const checkpoint = await reader.GET('/v1/log/checkpoint', { parseAs: 'text' })
    expect(checkpoint.data).toMatch(new RegExp(`^${origin}\n`))
  })

  test('errors are typed problems', async () => {
    const missing = await reader.GET('/v1/events/{uuid}', { params: { path: { uuid: crypto.randomUUID() } } })
    expect(missing.data).toBeUndefined()
    expectTypeOf(missing.error).toEqualTypeOf<Problem | undefined>()
    const status: number | undefined = missing.error?.status
    expect(status).toBe(404)
    expect(missing.response.headers.get('Content-Type')).toBe('application/problem+json')

    const refused = await writer.POST('/v1/events', {
      // @ts-expect-error the document lists the log's actions: this is not one of them
      body: { targetUserUuid: target, adminUserUuid: admin, action: 'no_such_action' },
    })
    expect(refused.response.status).toBe(400)
    const fields: string[] = (refused.error?.errors ?? []).map((e) => e.field)
    expect(fields).toEqual(['action'])

    const forbidden = await reader.POST('/v1/events', {
      body: { targetUserUuid: target, adminUserUuid: admin, action: 'user_created' },
    })
    expect(forbidden.response.status).toBe(403)
    expect(forbidden.error?.title).toBe('Forbidden')
  })
})
