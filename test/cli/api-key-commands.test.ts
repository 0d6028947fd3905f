import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type CliDatabase, cliEngines } from './cli-engines.js'
import { cli, ensureBuilt } from './cli-harness.js'

beforeAll(() => ensureBuilt())

for (const engine of await cliEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(
    `auditkit api-keys: ${engine.name}${engine.unavailable ? ` (skipped: ${engine.unavailable})` : ''}`,
    () => {
      let db: CliDatabase
      const run = (args: readonly string[]) => cli([...args, ...db.args])
      beforeAll(async () => {
        db = await engine.setup()
        expect((await run(['migrate'])).code).toBe(0)
      })
      afterAll(() => db.cleanup())

      test('create prints the key once; list shows it without the secret; revoke takes effect at once', async () => {
        const created = await run(['api-keys', 'create', '--name', 'billing', '--scope', 'write', '--scope', 'read'])
        expect(created.code, created.stderr).toBe(0)
        const key = created.stdout.trim()
        expect(key).toMatch(/^ak_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/)
        expect(created.stderr).toMatch(/copy it now, it is not shown again/)
        const id = key.slice(3, 27)
        const audit = await db.open()
        try {
          expect(await audit.verifyApiKey(key)).toMatchObject({ id, name: 'billing', scopes: ['read', 'write'] })
          const listed = await run(['api-keys', 'list'])
          expect(listed.code).toBe(0)
          expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+billing\\s+read,write\\s+\\d{4}-`, 'm'))
          expect(listed.stdout).not.toContain(key.slice(28))
          const json = JSON.parse((await run(['api-keys', 'list', '--format', 'json'])).stdout) as { id: string }[]
          expect(json.map((k) => k.id)).toContain(id)
          expect(JSON.stringify(json)).not.toContain(key.slice(28))
          const revoked = await run(['api-keys', 'revoke', id])
          expect(revoked.code, revoked.stderr).toBe(0)
          expect(revoked.stdout).toMatch(new RegExp(`^revoked ${id} \\(billing\\) at \\d{4}-`))
          expect(await audit.verifyApiKey(key)).toBeNull()
          const again = JSON.parse((await run(['api-keys', 'list', '--format', 'json'])).stdout) as {
            id: string
            revokedAt: string | null
          }[]
          expect(again.find((k) => k.id === id)?.revokedAt).toMatch(/^\d{4}-/)
        } finally {
          await audit.close({ seal: false })
        }
      })

      test('bad input: exit 2 naming the field; an unknown id: exit 1; the database down: exit 3', async () => {
        const scope = await run(['api-keys', 'create', '--name', 'x', '--scope', 'admin'])
        expect(scope).toMatchObject({ code: 2, stdout: '' })
        expect(scope.stderr).toMatch(/^auditkit: invalid input: scopes\[0\]: must be one of: read, write/)
        const missing = await run(['api-keys', 'create', '--name', 'x'])
        expect(missing.code).toBe(2)
        expect(missing.stderr).toMatch(/--scope/)
        const unknown = await run(['api-keys', 'revoke', 'f'.repeat(24)])
        expect(unknown).toMatchObject({ code: 1, stderr: `auditkit: No API key with id ${'f'.repeat(24)}\n` })
        const badId = await run(['api-keys', 'revoke', 'nope'])
        expect(badId.code).toBe(2)
        const down = await cli(['api-keys', 'list', ...db.downArgs])
        expect(down.code).toBe(3)
      })
    },
  )
}
