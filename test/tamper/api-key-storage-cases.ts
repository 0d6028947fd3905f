import { createHash } from 'node:crypto'
import { afterAll, describe, expect, test } from 'vitest'
import { generateKeyPair } from '../../src/index.js'
import type { TamperHarness } from './tamper-harness.js'

const KEYS = generateKeyPair()

/** What the database holds of an API key: its SHA-256, never the key or its secret. */
export function apiKeyStorageCases(h: TamperHarness, unavailable?: string): void {
  describe.skipIf(unavailable !== undefined)(
    `API keys at rest: ${h.name}${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      afterAll(() => h.teardown())

      test('the table holds the SHA-256 of the key and nothing of its secret; a row edited by the owner stops verifying', async () => {
        const fx = await h.open({ signingKey: KEYS.privateKey, origin: 'keys.example/log' })
        const created = await fx.audit.createApiKey({ name: 'svc', scopes: ['read', 'write'] })
        const secret = created.key.slice(28)
        const rows = await fx.sql(`SELECT * FROM ${fx.tables.apiKeys}`)
        expect(rows).toHaveLength(1)
        const row = rows[0] as Record<string, unknown>
        expect(Buffer.from(row.key_hash as Uint8Array).equals(createHash('sha256').update(created.key).digest())).toBe(
          true,
        )
        const dump = JSON.stringify(rows, (_, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v))
        expect(dump).not.toContain(secret)
        expect(dump).not.toContain(Buffer.from(secret, 'base64url').toString('latin1'))
        expect(row).toMatchObject({ id: created.id, name: 'svc', scopes: 'read,write' })
        // Whoever can write the table can grant a key of their own: the hash is what is checked.
        await fx.sql(`UPDATE ${fx.tables.apiKeys} SET key_hash = ? WHERE id = ?`, [
          createHash('sha256').update('something else').digest(),
          created.id,
        ])
        expect(await fx.audit.verifyApiKey(created.key)).toBeNull()
      })
    },
  )
}
