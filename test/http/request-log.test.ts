import { afterAll, beforeAll, expect, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import { type AuditLog, createAuditLog } from '../../src/index.js'

let audit: AuditLog
beforeAll(async () => {
  audit = await createAuditLog({ database: 'sqlite::memory:', sealIntervalMs: 0 })
})
afterAll(() => audit.close())

test('one structured line per request, with the route pattern and key id: never a key, a body or a query string', async () => {
  const lines: Record<string, unknown>[] = []
  const app = createAuditApp({
    audit: audit as unknown as AuditLog<string>,
    logger: { info: (fields, message) => lines.push({ ...fields, msg: message }) },
  })
  const writer = await audit.createApiKey({ name: 'w', scopes: ['write'] })
  const reader = await audit.createApiKey({ name: 'r', scopes: ['read'] })
  const marker = `body-marker-${crypto.randomUUID()}`
  const target = crypto.randomUUID()
  const auth = (key: string) => ({ Authorization: `Bearer ${key}` })
  const created = await app.request('/v1/events', {
    method: 'POST',
    headers: { ...auth(writer.key), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      targetUserUuid: target,
      adminUserUuid: target,
      action: 'user_locked',
      metadata: { marker },
    }),
  })
  expect(created.status).toBe(201)
  const { uuid } = (await created.json()) as { uuid: string }
  await app.request(`/v1/events/${uuid}`, { headers: auth(reader.key) })
  await app.request(`/v1/events?targetUserUuid=${target}`, { headers: auth(reader.key) })
  await app.request(`/v1/events?api_key=${reader.key}`)
  await app.request('/v1/events', { headers: auth(`${reader.key}x`) })
  await app.request('/healthz')

  expect(lines).toHaveLength(6)
  expect(lines[0]).toMatchObject({ method: 'POST', route: '/v1/events', status: 201, keyId: writer.id, msg: 'request' })
  expect(lines[1]).toMatchObject({ method: 'GET', route: '/v1/events/:uuid', status: 200, keyId: reader.id })
  expect(lines[3]).toMatchObject({ route: '/v1/events', status: 400, keyId: null })
  expect(lines[4]).toMatchObject({ status: 401, keyId: null })
  for (const line of lines) expect(typeof line.durationMs).toBe('number')
  const text = JSON.stringify(lines)
  for (const secret of [writer.key, reader.key, writer.key.slice(28), reader.key.slice(28), marker, target, uuid]) {
    expect(text).not.toContain(secret)
  }
})
