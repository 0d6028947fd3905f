import Database from 'better-sqlite3'
import { expect, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import { type AuditLog, createAuditLog, generateKeyPair, verifyEntryInclusion } from '../../src/index.js'

const KEYS = generateKeyPair()
const user = () => crypto.randomUUID()

test('GET /v1/log/proofs: an entry edited since sealing is said so on its own; the rest of the page still proves', async () => {
  const db = new Database(':memory:')
  const audit = await createAuditLog({ database: db, sealIntervalMs: 0, signingKey: KEYS.privateKey })
  try {
    const app = createAuditApp({ audit: audit as unknown as AuditLog<string> })
    const key = (await audit.createApiKey({ name: 'r', scopes: ['read'] })).key
    const entries = await audit.createLogEntries(
      Array.from({ length: 5 }, () => ({
        targetUserUuid: user(),
        adminUserUuid: user(),
        action: 'user_locked' as const,
      })),
    )
    await audit.seal()
    const edited = entries[2]?.uuid as string
    // Someone with the database edits an entry behind the append-only trigger's back.
    db.exec('DROP TRIGGER auditkit_entries_no_update')
    db.prepare("UPDATE auditkit_entries SET action = 'user_unlocked' WHERE uuid = ?").run(edited)

    const res = await app.request(`/v1/log/proofs?${entries.map((e) => `uuid=${e.uuid}`).join('&')}`, {
      headers: { Authorization: `Bearer ${key}` },
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { checkpoint: string; proofs: Record<string, unknown>[] }
    expect(body.proofs[2]).toMatchObject({ uuid: edited, status: 'leaf_mismatch', detail: expect.any(String) })
    const origin = (await audit.latestCheckpoint())?.origin as string
    for (const i of [0, 1, 3, 4]) {
      const e = entries[i] as (typeof entries)[number]
      const answer = body.proofs[i] as { proof: Parameters<typeof verifyEntryInclusion>[1] }
      expect(verifyEntryInclusion(e, answer.proof, body.checkpoint, KEYS.publicKey, { origin }).ok).toBe(true)
    }
  } finally {
    await audit.close()
    db.close()
  }
})
