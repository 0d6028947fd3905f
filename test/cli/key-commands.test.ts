import { createPrivateKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuditLog, generateKeyPair, verifierKey, verifyCheckpoint } from '../../src/index.js'
import { cli, ensureBuilt } from './cli-harness.js'
import { writeEntries, writeKeyFile } from './log-fixture.js'

// The test key of golang.org/x/mod/sumdb/note (note_test.go), as in test/unit/signed-note.test.ts.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'

// The 32-byte seed after the algorithm byte, in a PKCS8 envelope for Ed25519 (RFC 8410).
function peterPrivateKeyPem(): string {
  const seed = Buffer.from(PETER_SKEY.split('+').slice(4).join('+'), 'base64').subarray(1)
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string
}

const mode = (file: string) => statSync(file).mode & 0o777

let dir: string
beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-keys-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('keygen', () => {
  test('writes a 0600 private key and a 0644 public key, and prints a verifier key that checks its checkpoints', async () => {
    const origin = 'audit.example.com/prod'
    const out = join(dir, 'signer')
    const run = await cli(['keygen', '--out', out, '--origin', origin])
    expect(run.code).toBe(0)
    expect(mode(`${out}.key`)).toBe(0o600)
    expect(mode(`${out}.pub`)).toBe(0o644)
    const vkey = run.stdout.trim()
    expect(vkey).toMatch(/^audit\.example\.com\/prod\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/)
    expect(vkey).toBe(verifierKey(readFileSync(`${out}.pub`, 'utf8'), origin))

    const audit = await createAuditLog({
      database: 'sqlite::memory:',
      signingKey: readFileSync(`${out}.key`, 'utf8'),
      origin,
      sealIntervalMs: 0,
    })
    try {
      await writeEntries(audit, 3)
      const { note } = await audit.checkpoint()
      expect(verifyCheckpoint(note, [vkey], { origin })).toMatchObject({ ok: true, checkpoint: { treeSize: 3 } })
      // A verifier key is bound to its key: another pair's does not check this note.
      const other = (await cli(['keygen', '--out', join(dir, 'other'), '--origin', origin])).stdout.trim()
      expect(verifyCheckpoint(note, [other], { origin })).toMatchObject({ ok: false, code: 'unknown_key' })
    } finally {
      await audit.close()
    }
  })

  test('names the key after auditkit/<table> by default', async () => {
    const run = await cli(['keygen', '--out', join(dir, 'default'), '--table', 'admin_audit'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^auditkit\/admin_audit\+[0-9a-f]{8}\+/)
  })

  test('never overwrites a key, and leaves no private key without its public half', async () => {
    const out = join(dir, 'kept')
    expect((await cli(['keygen', '--out', out])).code).toBe(0)
    const before = readFileSync(`${out}.key`, 'utf8')
    const again = await cli(['keygen', '--out', out])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('exists')
    expect(readFileSync(`${out}.key`, 'utf8')).toBe(before)

    const half = join(dir, 'half')
    writeFileSync(`${half}.pub`, 'not mine\n')
    expect((await cli(['keygen', '--out', half])).code).toBe(2)
    expect(() => statSync(`${half}.key`)).toThrow()
    expect(readFileSync(`${half}.pub`, 'utf8')).toBe('not mine\n')
  })

  test('refuses an origin a checkpoint cannot carry (exit 2), writing nothing', async () => {
    const run = await cli(['keygen', '--out', join(dir, 'bad'), '--origin', 'has space'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('origin')
    expect(() => statSync(join(dir, 'bad.key'))).toThrow()
  })
})

describe('vkey', () => {
  test('gives the verifier key of golang.org/x/mod/sumdb/note for its test key', async () => {
    const key = writeKeyFile(dir, 'peter.key', peterPrivateKeyPem(), 0o600)
    const run = await cli(['vkey', '--public-key', key, '--origin', 'PeterNeumann'])
    expect(run).toMatchObject({ code: 0, stdout: `${PETER_VKEY}\n` })
  })

  test('of a public key file, the same as keygen printed', async () => {
    const out = join(dir, 'pair')
    const printed = (await cli(['keygen', '--out', out, '--origin', 'example.org/log'])).stdout
    const run = await cli(['vkey', '--public-key', `${out}.pub`, '--origin', 'example.org/log'])
    expect(run).toMatchObject({ code: 0, stdout: printed })
  })

  test('refuses a private key that others can read, and a file that is no key', async () => {
    const loose = writeKeyFile(dir, 'loose-peter.key', peterPrivateKeyPem(), 0o644)
    const run = await cli(['vkey', '--public-key', loose, '--origin', 'PeterNeumann'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('chmod 600')
    const junk = writeKeyFile(dir, 'junk.pub', 'hello\n', 0o644)
    expect((await cli(['vkey', '--public-key', junk])).code).toBe(2)
  })
})

describe('signing keys', () => {
  test('a private key readable by others is refused with exit 2 and says chmod 600', async () => {
    const { privateKey } = generateKeyPair()
    const loose = writeKeyFile(dir, 'loose.key', privateKey, 0o644)
    const database = `sqlite:${join(dir, 'never-opened.db')}`
    const flag = await cli(['checkpoint', '--database', database, '--signing-key', loose])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain(`chmod 600 ${loose}`)
    const env = await cli(['checkpoint', '--database', database], { env: { AUDITKIT_SIGNING_KEY_FILE: loose } })
    expect(env.code).toBe(2)
    expect(env.stderr).toContain('chmod 600')
    const none = await cli(['checkpoint', '--database', database])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('AUDITKIT_SIGNING_KEY_FILE')
  })
})
