import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { lastCheckpointNote, parseCheckpointFile } from '../../src/cli/checkpoint-file.js'
import { type AuditLog, createAuditLog, verifyCheckpoint, verifyConsistency } from '../../src/index.js'
import { type CliDatabase, cliEngines, startCli } from './cli-engines.js'
import { cli, ensureBuilt } from './cli-harness.js'

beforeAll(() => ensureBuilt(), 120_000)

const user = () => crypto.randomUUID()
const entry = () => ({ action: 'user_deleted', targetUserUuid: user(), adminUserUuid: user() })

/** A fresh Ed25519 pair: the private key in a 0600 file, the public key as PEM and in a file. */
function keyPair(dir: string, name: string): { file: string; publicKey: string; publicFile: string } {
  const pair = generateKeyPairSync('ed25519')
  const file = join(dir, `${name}.pem`)
  writeFileSync(file, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 })
  const publicKey = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string
  const publicFile = join(dir, `${name}.pub.pem`)
  writeFileSync(publicFile, publicKey)
  return { file, publicKey, publicFile }
}

function notesIn(file: string): string[] {
  try {
    return parseCheckpointFile(readFileSync(file, 'utf8'))
  } catch {
    return []
  }
}

function sizeOf(note: string, publicKey: string): number {
  const verified = verifyCheckpoint(note, publicKey)
  if (!verified.ok) throw new Error(`${verified.code}: ${verified.detail}`)
  return verified.checkpoint.treeSize
}

async function until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  for (const start = Date.now(); !condition(); await sleep(50)) {
    if (Date.now() - start > timeoutMs) throw new Error(`waited ${timeoutMs} ms for ${what}`)
  }
}

for (const engine of await cliEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(
    `auditkit serve --checkpoint-interval/--checkpoint-file: ${engine.name}${engine.unavailable ? ` (skipped: ${engine.unavailable})` : ''}`,
    () => {
      let db: CliDatabase
      let audit: AuditLog<string>
      let key: ReturnType<typeof keyPair>
      beforeAll(async () => {
        db = await engine.setup()
        expect((await cli(['migrate', ...db.args])).code).toBe(0)
        audit = await db.open()
        key = keyPair(db.dir, 'signing')
      })
      afterAll(async () => {
        await audit.close({ seal: false })
        await db.cleanup()
      })

      const serve = (file: string) =>
        startCli([
          'serve',
          '--port',
          '0',
          '--signing-key',
          key.file,
          '--checkpoint-interval',
          '0.5',
          '--checkpoint-file',
          file,
          ...db.args,
        ])

      test('appends a checkpoint each interval the log grew, and a last one on SIGTERM that covers every entry; the file verifies', async () => {
        const file = join(db.dir, 'growing.txt')
        await audit.createLogEntries([entry(), entry(), entry()])
        const server = serve(file)
        await server.stderrMatch(/signing a checkpoint every 0\.5 s, appended to /)
        const sizes = () => notesIn(file).map((n) => sizeOf(n, key.publicKey))
        for (let round = 1; round <= 2; round++) {
          if (round > 1) await audit.createLogEntries([entry(), entry(), entry()])
          const written = await audit.countLogs()
          await until(() => sizes().at(-1) === written, `a checkpoint of ${written} entries in the file`)
        }
        await sleep(1200) // rounds with nothing new append nothing
        const before = sizes()
        expect(before).toHaveLength(2)
        await audit.createLogEntries([entry(), entry()]) // left for the checkpoint of the shutdown
        server.child.kill('SIGTERM')
        const done = await server.done
        expect(done.code, done.stderr).toBe(0)
        expect(done.stderr).not.toMatch(/checkpoint failed/)

        const notes = notesIn(file)
        const all = sizes()
        expect(all.slice(0, 2)).toEqual(before)
        expect(all.at(-1)).toBe(await audit.countLogs())
        for (let i = 1; i < notes.length; i++) {
          expect(all[i] as number).toBeGreaterThan(all[i - 1] as number)
          const proof = await audit.proveConsistency(all[i - 1] as number, all[i] as number)
          expect(verifyConsistency(proof, notes[i - 1] as string, notes[i] as string, key.publicKey)).toBe(true)
        }
        const verified = await cli(['verify', '--checkpoints', file, '--public-key', key.publicFile, ...db.args])
        expect(verified.code, verified.stdout + verified.stderr).toBe(0)
      }, 20_000)

      test("a file whose last checkpoint the log does not extend (another log's key, or a rewritten history) is reported every round and never appended to", async () => {
        // Another log of the same origin: checkpoints signed by another key, then by this key over other entries.
        const other = keyPair(db.dir, 'other')
        const database = `sqlite:${join(db.dir, 'other.db')}`
        for (const [name, signingKey] of [
          ['foreign', readFileSync(other.file, 'utf8')],
          ['rewritten', readFileSync(key.file, 'utf8')],
        ] as const) {
          const options = { database, origin: audit.origin, signingKey, sealIntervalMs: 0 }
          const forged = (await createAuditLog(options)) as unknown as AuditLog<string>
          await forged.createLogEntry(entry())
          const file = join(db.dir, `${name}.txt`)
          writeFileSync(file, `${(await forged.checkpoint()).note}\n`)
          await forged.close()
          const before = readFileSync(file, 'utf8')

          await audit.createLogEntry(entry())
          const server = serve(file)
          await server.stderrMatch(
            new RegExp(`(checkpoint failed: not appended to \\S+${name}\\.txt: [\\s\\S]*){2}`, 'm'),
            8000,
          )
          server.child.kill('SIGTERM')
          const done = await server.done
          expect(done.code, done.stderr).toBe(0)
          expect(done.stderr).toMatch(/rewritten, or the file is another log's/)
          expect(readFileSync(file, 'utf8'), name).toBe(before)
        }
      }, 30_000)

      test.skipIf(engine.name !== 'SQLite file')(
        `a round that fails is one line on stderr, tried again next round; the server goes on${engine.name === 'SQLite file' ? '' : ' (SQLite only: the loop does not depend on the engine)'}`,
        async () => {
          const server = serve(db.dir) // a directory: every read of "the file" fails
          const url = (await server.stderrMatch(/listening on (http:\/\/\S+)\n/))[1] as string
          await server.stderrMatch(/(auditkit: checkpoint failed: \S+[^\n]*\n[\s\S]*){2}/, 8000)
          expect((await fetch(`${url}/healthz`)).status).toBe(200)
          server.child.kill('SIGTERM')
          const done = await server.done
          expect(done.code, done.stderr).toBe(0)
          expect(done.stderr).toMatch(/auditkit: stopped\n$/)
        },
      )
    },
  )
}

describe('lastCheckpointNote', () => {
  test('reads the last note as parseCheckpointFile does, from the end of files small and large', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditkit-last-note-'))
    try {
      const file = join(dir, 'cps.txt')
      expect(await lastCheckpointNote(file)).toBeUndefined() // none yet: nothing to extend
      let seed = 1
      const next = () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
        return seed / 2 ** 32
      }
      const note = (i: number) => {
        // Now and then a note longer than the first read (16 KiB), so that it reads more.
        const ext = next() < 0.1 ? `ext ${'x'.repeat(20_000 + Math.floor(next() * 20_000))}\n` : ''
        const sigs = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, s) => `\u2014 k${s} c2lnIHs${i}${s}=\n`)
        return `example.com/log\n${i}\nqZ3bXbLZKk0yG3XvOqpqAXdKBq3n0+dsdY4b8q4zGZw=\n${ext}\n${sigs.join('')}`
      }
      for (let round = 0; round < 40; round++) {
        const text = Array.from({ length: Math.floor(next() * 200) }, (_, i) => `${note(i)}\n`).join('')
        const cut = next() < 0.3 ? 'example.com/log\n7\n' : '' // a note cut short by a crash
        writeFileSync(file, text + cut)
        expect(await lastCheckpointNote(file), `round ${round}`).toBe(parseCheckpointFile(text + cut).at(-1))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('auditkit serve: checkpoint options that cannot work', () => {
  const env = { AUDITKIT_SIGNING_KEY_FILE: undefined }
  test('--checkpoint-interval or --checkpoint-file without a signing key, or a file with the interval 0: exit 2 with the reason', async () => {
    const database = ['--database', 'sqlite::memory:']
    const interval = await cli(['serve', '--checkpoint-interval', '5', ...database], { env })
    expect(interval.code).toBe(2)
    expect(interval.stderr).toMatch(/--checkpoint-interval needs a signing key: pass --signing-key/)
    const file = await cli(['serve', '--checkpoint-file', 'cps.txt', ...database], { env })
    expect(file.code).toBe(2)
    expect(file.stderr).toMatch(/--checkpoint-file needs a signing key/)
    const bad = await cli(['serve', '--checkpoint-interval', '1m', ...database], { env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--checkpoint-interval.*must be a number of seconds/)
    const dir = mkdtempSync(join(tmpdir(), 'auditkit-serve-cp-'))
    try {
      const { file: keyFile } = keyPair(dir, 'signing')
      const off = ['serve', '--signing-key', keyFile, '--checkpoint-interval', '0', '--checkpoint-file', 'cps.txt']
      const never = await cli([...off, ...database], { env })
      expect(never.code).toBe(2)
      expect(never.stderr).toMatch(/--checkpoint-file needs checkpoints: --checkpoint-interval is 0/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
