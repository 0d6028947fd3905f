import { readFile } from 'node:fs/promises'
import { compileErrors, dereference, validate as validateDocument } from '@readme/openapi-parser'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { CLIENT_TYPES_PATH, clientTypes } from '../../scripts/client-types.js'
import { caseInsensitiveSource } from '../../src/http/json-schema.js'
import { createAuditApp, openApiDocument } from '../../src/http.js'
import { type AuditLog, createAuditLog, generateKeyPair } from '../../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: the test walks the document as untyped JSON
type Json = Record<string, any>

const KEYS = generateKeyPair()
const METHODS = ['get', 'post', 'put', 'patch', 'delete']

async function served(app: ReturnType<typeof createAuditApp>): Promise<Json> {
  const res = await app.request('/openapi.json')
  expect(res.status).toBe(200)
  expect(res.headers.get('Content-Type')).toMatch(/^application\/json/)
  return (await res.json()) as Json
}

/** @readme/openapi-parser's validate, on a copy: it dereferences the document in place. */
const validate = (document: Json) =>
  validateDocument(structuredClone(document) as Parameters<typeof validateDocument>[0])

function operations(document: Json): { route: string; operation: Json }[] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Json)[m] !== undefined).map((m) => ({
      route: `${m.toUpperCase()} ${path}`,
      operation: (item as Json)[m] as Json,
    })),
  )
}

function parameter(document: Json, path: string, name: string): Json {
  const found = (document.paths[path].get.parameters as Json[]).find((p) => p.name === name)
  if (found === undefined) throw new Error(`no parameter ${name} on ${path}`)
  return found
}

describe('GET /openapi.json', () => {
  let audit: AuditLog
  let app: ReturnType<typeof createAuditApp>
  let document: Json
  let auth: { Authorization: string }
  beforeAll(async () => {
    audit = await createAuditLog({ database: 'sqlite::memory:', sealIntervalMs: 0, signingKey: KEYS.privateKey })
    app = createAuditApp({ audit: audit as unknown as AuditLog<string> })
    document = await served(app)
    const { key } = await audit.createApiKey({ name: 'openapi-test', scopes: ['read', 'write'] })
    auth = { Authorization: `Bearer ${key}` }
  })
  afterAll(() => audit.close())

  test('is a valid OpenAPI 3.1 document per @readme/openapi-parser', async () => {
    expect(document.openapi).toBe('3.1.0')
    const result = await validate(document)
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
    // The validator can fail: a response without its description is refused.
    const broken = structuredClone(document)
    delete broken.paths['/v1/events'].get.responses['200'].description
    expect((await validate(broken)).valid).toBe(false)
  })

  test('needs no key, and is built once per log', async () => {
    expect(openApiDocument(audit as unknown as AuditLog<string>)).toBe(
      openApiDocument(audit as unknown as AuditLog<string>),
    )
    expect(Object.isFrozen(openApiDocument(audit as unknown as AuditLog<string>).paths)).toBe(true)
  })

  test('documents every route the app registers, and no other', () => {
    const registered = new Set(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    )
    const documented = new Set(operations(document).map((o) => o.route))
    expect([...documented].sort()).toEqual([...registered].sort())
  })

  test('every /v1 operation needs a bearer key and answers 401, 403 and every error as problem+json', () => {
    expect(document.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ scheme: 'bearer' }))
    for (const { route, operation } of operations(document)) {
      const statuses = Object.keys(operation.responses)
      if (route.includes(' /v1/')) {
        expect(operation.security, route).toBeUndefined() // the document's default: bearerAuth
        expect(statuses, route).toEqual(expect.arrayContaining(['400', '401', '403', '500', '503']))
      } else expect(operation.security, route).toEqual([])
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const name = (operation.responses[status].$ref as string).split('/').pop() as string
        expect(document.components.responses[name].content, `${route} ${status}`).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        })
      }
    }
    expect(document.security).toEqual([{ bearerAuth: [] }])
  })

  test('the writes document Idempotency-Key, Idempotent-Replayed and a 409', () => {
    for (const path of ['/v1/events', '/v1/events/batch']) {
      const post = document.paths[path].post
      expect(post.parameters).toContainEqual(
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
      )
      expect(post.responses['201'].headers['Idempotent-Replayed'].schema).toEqual({ type: 'string', const: 'true' })
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['409', '413', '415']))
    }
  })

  test('an Idempotency-Key the document refuses, the server refuses', async () => {
    const header = (document.paths['/v1/events'].post.parameters as Json[]).find((p) => p.name === 'Idempotency-Key')
    const pattern = new RegExp(header?.schema.pattern)
    const admin = crypto.randomUUID()
    const post = (idempotencyKey: string) =>
      app.request('/v1/events', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
        body: JSON.stringify({ targetUserUuid: crypto.randomUUID(), adminUserUuid: admin, action: audit.actions[0] }),
      })
    for (const refused of ['with space', 'x'.repeat(256), 'caf\u00e9']) {
      expect(pattern.test(refused), refused).toBe(false)
      expect((await post(refused)).status, refused).toBe(400)
    }
    for (const taken of ['a', `order-${crypto.randomUUID()}`, '!~'.repeat(100)]) {
      expect(pattern.test(taken), taken).toBe(true)
      expect((await post(taken)).status, taken).toBe(201)
    }
    const replayed = document.paths['/v1/events'].post.responses['201'].headers['Idempotent-Replayed'].schema.const
    const body = JSON.stringify({ targetUserUuid: admin, adminUserUuid: admin, action: audit.actions[0] })
    const once = () =>
      app.request('/v1/events', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': `replay-${admin}` },
        body,
      })
    expect((await once()).headers.get('Idempotent-Replayed')).toBeNull()
    const again = await once()
    expect(again.status).toBe(201)
    expect(again.headers.get('Idempotent-Replayed')).toBe(replayed)
  })

  test('a batch of maxItems entries is taken, one more is refused', async () => {
    const maxItems = document.components.schemas.BatchRequest.properties.entries.maxItems as number
    expect(maxItems).toBe(1000)
    const entry = { targetUserUuid: crypto.randomUUID(), adminUserUuid: crypto.randomUUID(), action: audit.actions[0] }
    const batch = (n: number) =>
      app.request('/v1/events/batch', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ entries: Array.from({ length: n }, () => entry) }),
      })
    const over = await batch(maxItems + 1)
    expect(over.status).toBe(400)
    expect(await over.json()).toMatchObject({ errors: [{ field: 'entries' }] })
    expect((await batch(maxItems)).status).toBe(201)
  })

  test('the date filters are strings, the uuids either case, metadata an object', () => {
    const fromDate = parameter(document, '/v1/events', 'fromDate').schema
    expect(fromDate.anyOf.map((s: Json) => s.format)).toEqual(['date-time', 'date'])
    const pattern = new RegExp(parameter(document, '/v1/events', 'targetUserUuid').schema.pattern)
    const uuid = crypto.randomUUID()
    expect(pattern.test(uuid) && pattern.test(uuid.toUpperCase())).toBe(true)
    expect(pattern.test('not-a-uuid')).toBe(false)
    expect(document.components.schemas.EntryInput.properties.metadata).toEqual({
      $ref: '#/components/schemas/Metadata',
    })
    expect(document.components.schemas.Metadata.type).toBe('object')
  })

  test('what the document refuses, the server refuses with a 400; what it allows, the server takes', async () => {
    const get = (query: string) => app.request(`/v1/events?${query}`, { headers: auth })
    const limit = parameter(document, '/v1/events', 'limit').schema
    expect((await get(`limit=${limit.maximum}`)).status).toBe(200)
    expect((await get(`limit=${limit.maximum + 1}`)).status).toBe(400)
    expect((await get(`limit=${limit.minimum - 1}`)).status).toBe(400)
    const actions = parameter(document, '/v1/events', 'action').schema.items.enum as string[]
    expect((await get(`action=${actions[0]}`)).status).toBe(200)
    expect(actions).not.toContain('no_such_action')
    expect((await get('action=no_such_action')).status).toBe(400)
    const list = parameter(document, '/v1/events', 'action')
    expect(list).toMatchObject({ style: 'form', explode: true, schema: { type: 'array', maxItems: 50 } })
    expect((await get(`action=${actions[0]}&action=${actions[1]}`)).status).toBe(200)
    expect((await get(Array(51).fill(`action=${actions[0]}`).join('&'))).status).toBe(400)
    expect((await get(`targetUserUuid=${crypto.randomUUID().toUpperCase()}`)).status).toBe(200)
    expect((await get('fromDate=2026-11-25')).status).toBe(200)
    expect((await get('fromDate=yesterday')).status).toBe(400)
    const documented = (document.paths['/v1/events'].get.parameters as Json[]).map((p) => p.name)
    expect(documented).not.toContain('offset')
    const undocumented = await get('offset=1')
    expect(undocumented.status).toBe(400)
    expect(await undocumented.json()).toMatchObject({ errors: [{ field: 'offset' }] })

    const uuidPattern = new RegExp(document.paths['/v1/events/{uuid}'].get.parameters[0].schema.pattern)
    expect(uuidPattern.test('not-a-uuid')).toBe(false)
    expect((await app.request('/v1/events/not-a-uuid', { headers: auth })).status).toBe(400)

    const input = document.components.schemas.EntryInput
    expect(input.additionalProperties).toBe(false)
    const body = { targetUserUuid: crypto.randomUUID(), adminUserUuid: crypto.randomUUID(), action: actions[0] }
    const post = (entry: object) =>
      app.request('/v1/events', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(entry),
      })
    expect((await post(body)).status).toBe(201)
    expect((await post({ ...body, colour: 'red' })).status).toBe(400)
    for (const field of input.required as string[]) {
      const { [field]: _, ...missing } = body as Record<string, unknown>
      expect((await post(missing)).status, field).toBe(400)
    }
  })

  test('the responses match the documented schemas', async () => {
    const resolved = (await dereference(structuredClone(document) as Parameters<typeof dereference>[0])) as Json
    const schemaOf = (path: string, method: string, status: string): z.ZodType =>
      z.fromJSONSchema(resolved.paths[path][method].responses[status].content['application/json'].schema)
    const post = await app.request('/v1/events', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        targetUserUuid: crypto.randomUUID(),
        adminUserUuid: crypto.randomUUID(),
        action: audit.actions[0],
        ipAddress: '10.0.0.1',
        metadata: { reason: 'test', nested: { n: 1 } },
      }),
    })
    const entry = (await post.json()) as Json
    schemaOf('/v1/events', 'post', '201').parse(entry)
    await audit.seal()
    const read = async (path: string) => (await app.request(path, { headers: auth })).json()
    schemaOf('/v1/events', 'get', '200').parse(await read('/v1/events?limit=5'))
    schemaOf('/v1/events/count', 'get', '200').parse(await read('/v1/events/count'))
    schemaOf('/v1/events/{uuid}', 'get', '200').parse(await read(`/v1/events/${entry.uuid}`))
    schemaOf('/v1/events/{uuid}/proof', 'get', '200').parse(await read(`/v1/events/${entry.uuid}/proof`))
    schemaOf('/v1/log', 'get', '200').parse(await read('/v1/log'))
    schemaOf('/v1/log/consistency', 'get', '200').parse(await read('/v1/log/consistency?from=0&to=1'))
    const problem = resolved.paths['/v1/events/{uuid}'].get.responses['404'].content['application/problem+json']
    z.fromJSONSchema(problem.schema).parse(await read(`/v1/events/${crypto.randomUUID()}`))
    // The schemas are not vacuous: an entry without its seq is refused.
    const { seq: _, ...withoutSeq } = entry
    expect(schemaOf('/v1/events', 'post', '201').safeParse(withoutSeq).success).toBe(false)
  })
})

describe('the document follows the log it describes', () => {
  test("a log's own actions and user id format", async () => {
    const audit = await createAuditLog({
      database: 'sqlite::memory:',
      sealIntervalMs: 0,
      actions: ['a', 'b'],
      userIdFormat: 'string',
    })
    try {
      const document = await served(createAuditApp({ audit: audit as unknown as AuditLog<string> }))
      const input = document.components.schemas.EntryInput.properties
      expect(input.action.enum).toEqual(['a', 'b'])
      expect(input.targetUserUuid).toEqual({ type: 'string', minLength: 1, maxLength: 255 })
      expect(parameter(document, '/v1/events', 'action').schema.items.enum).toEqual(['a', 'b'])
      expect(parameter(document, '/v1/events/count', 'adminUserUuid').schema.pattern).toBeUndefined()
      expect((await validate(document)).valid).toBe(true)
    } finally {
      await audit.close()
    }
  })
})

describe('caseInsensitiveSource', () => {
  test('matches what the `i` flag matches, on random strings', () => {
    const patterns = [
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      /^ab[c-e]\dX$/i,
      /^[A-Fx_]+\.[^q]$/i,
    ]
    const alphabet = 'aAbBcCdDeEfFxXqQ_0123-.'
    const random = () =>
      Array.from({ length: 1 + Math.floor(Math.random() * 8) }, () => alphabet[Math.floor(Math.random() * 23)]).join('')
    for (const pattern of patterns) {
      const converted = new RegExp(caseInsensitiveSource(pattern.source))
      const samples = [...Array.from({ length: 2000 }, random), 'abc1x', 'ABE9X', 'aF_.Z', 'ff_.q']
      samples.push(crypto.randomUUID(), crypto.randomUUID().toUpperCase())
      for (const sample of samples) expect(converted.test(sample), `${pattern} on ${sample}`).toBe(pattern.test(sample))
    }
  })
})

describe('the generated client types', () => {
  test(`${CLIENT_TYPES_PATH} is what \`npm run api:client\` generates now`, async () => {
    const committed = await readFile(new URL(`../../${CLIENT_TYPES_PATH}`, import.meta.url), 'utf8')
    expect(committed).toBe(await clientTypes())
  })
})
