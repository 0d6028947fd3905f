import { describe, expect, test } from 'vitest'
import { type AuditLog, NotFoundError, ValidationError } from '../../src/index.js'
import type { Harness } from './harness.js'

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

async function fields(promise: Promise<unknown>): Promise<string[]> {
  const error = await rejection(promise)
  expect(error).toBeInstanceOf(ValidationError)
  return (error as ValidationError).fields
}

/** API keys for the HTTP service: created once, listed without secrets, verified, revoked at once. */
export function apiKeyCases(h: Harness): void {
  describe('API keys', () => {
    test('a created key is shown once, listed without its secret, and verifies with its scopes', async () => {
      const { audit } = await h.open()
      expect(await audit.listApiKeys()).toEqual([])
      const created = await audit.createApiKey({ name: ' billing-service ', scopes: ['write', 'read'] })
      expect(created.key).toMatch(/^ak_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/)
      expect(created.key.slice(3, 27)).toBe(created.id)
      expect(created).toMatchObject({
        name: 'billing-service',
        scopes: ['read', 'write'],
        lastUsedAt: null,
        revokedAt: null,
      })
      const listed = await audit.listApiKeys()
      expect(listed).toEqual([{ ...created, key: undefined }].map(({ key: _, ...rest }) => rest))
      expect(JSON.stringify(listed)).not.toContain(created.key.slice(28))
      const verified = await audit.verifyApiKey(created.key)
      expect(verified).toMatchObject({ id: created.id, scopes: ['read', 'write'], revokedAt: null })
      expect(verified?.lastUsedAt).toBeInstanceOf(Date)
      expect((await audit.listApiKeys())[0]?.lastUsedAt?.getTime()).toBe(verified?.lastUsedAt?.getTime())
      const reader = await audit.createApiKey({ name: 'viewer', scopes: ['read'] })
      expect((await audit.verifyApiKey(reader.key))?.scopes).toEqual(['read'])
      expect((await audit.listApiKeys()).map((k) => k.name)).toEqual(['billing-service', 'viewer'])
    })

    test('anything but a live key verifies as null: a wrong secret, a malformed key, another log’s key', async () => {
      const { audit } = await h.open()
      const created = await audit.createApiKey({ name: 'svc', scopes: ['read'] })
      const last = created.key.at(-1) === 'A' ? 'B' : 'A'
      const wrongSecret = `${created.key.slice(0, -1)}${last}`
      const other = await (await h.open()).audit.createApiKey({ name: 'other', scopes: ['read'] })
      const unknownId = `ak_${'0'.repeat(24)}_${created.key.slice(28)}`
      for (const key of [wrongSecret, unknownId, other.key, '', 'ak_', created.key.toUpperCase(), ` ${created.key}`]) {
        expect(await audit.verifyApiKey(key), key).toBeNull()
      }
      for (const key of [undefined, null, 42, { key: created.key }]) {
        expect(await audit.verifyApiKey(key as unknown as string)).toBeNull()
      }
      expect(await audit.verifyApiKey(created.key)).not.toBeNull()
    })

    test('revocation takes effect at once and keeps its first time; an unknown id is NotFoundError', async () => {
      const { audit } = await h.open()
      const created = await audit.createApiKey({ name: 'svc', scopes: ['write'] })
      const revoked = await audit.revokeApiKey(created.id)
      expect(revoked.revokedAt).toBeInstanceOf(Date)
      expect(await audit.verifyApiKey(created.key)).toBeNull()
      const again = await audit.revokeApiKey(created.id)
      expect(again.revokedAt?.getTime()).toBe(revoked.revokedAt?.getTime())
      expect((await audit.listApiKeys())[0]?.revokedAt?.getTime()).toBe(revoked.revokedAt?.getTime())
      const missing = await rejection(audit.revokeApiKey('f'.repeat(24)))
      expect(missing).toBeInstanceOf(NotFoundError)
      expect(missing).toMatchObject({ code: 'not_found', message: `No API key with id ${'f'.repeat(24)}` })
      expect(await fields(audit.revokeApiKey('not-an-id'))).toEqual(['id'])
    })

    test('bad options are a ValidationError naming each field, and nothing is stored', async () => {
      const { audit } = await h.open()
      const bad = (options: unknown) => fields((audit as AuditLog).createApiKey(options as never))
      expect(await bad({ name: '', scopes: ['read'] })).toEqual(['name'])
      expect(await bad({ name: 'x\u0000y', scopes: ['read'] })).toEqual(['name'])
      expect(await bad({ name: 'x'.repeat(101), scopes: ['read'] })).toEqual(['name'])
      expect(await bad({ name: 'x', scopes: [] })).toEqual(['scopes'])
      expect(await bad({ name: 'x', scopes: ['admin'] })).toEqual(['scopes[0]'])
      expect(await bad({ name: 'x' })).toEqual(['scopes'])
      expect(await bad({ name: 'x', scopes: ['read'], secret: 'mine' })).toEqual(['secret'])
      expect(await audit.listApiKeys()).toEqual([])
    })
  })
}
