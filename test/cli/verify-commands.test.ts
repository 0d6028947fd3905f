import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseCheckpointFile } from '../../src/cli/checkpoint-file.js'
import {
  type AuditLog,
  type Entry,
  generateKeyPair,
  type VerifyResult,
  verifierKey,
  verifyCheckpoint,
} from '../../src/index.js'
import { postgresUnavailable } from '../support/postgres.js'
import { sealTo } from '../tamper/tamper-harness.js'
import { cli, cliInTerminal, ensureBuilt } from './cli-harness.js'
import { type CliLogFixture, postgresCliLog, sqliteCliLog, writeEntries, writeKeyFile } from './log-fixture.js'

const ORIGIN = 'audit.example.com/cli'
const TABLE = 'entries'

interface KeyFiles {
  readonly key: string
  readonly pub: string
  readonly vkey: string
  readonly privateKey: string
  readonly publicKey: string
}

function keyFiles(dir: string, name: string): KeyFiles {
  const pair = generateKeyPair()
  return {
    key: writeKeyFile(dir, `${name}.key`, pair.privateKey, 0o600),
    pub: writeKeyFile(dir, `${name}.pub`, pair.publicKey, 0o644),
    vkey: verifierKey(pair.publicKey, ORIGIN),
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
  }
}

async function exportTo(audit: AuditLog, file: string): Promise<string[]> {
  const lines: string[] = []
  for await (const line of audit.exportLog()) lines.push(line)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return lines
}

beforeAll(() => ensureBuilt())

const pgUnavailable = await postgresUnavailable()

for (const [make, unavailable] of [
  [sqliteCliLog, undefined],
  [postgresCliLog, pgUnavailable],
] as const) {
  const name = make === sqliteCliLog ? 'SQLite file' : 'PostgreSQL'
  describe.skipIf(unavailable !== undefined)(`${name}${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
    // One log walked through its life: sealed, checkpointed and copied out, verified, proven,
    // exported, its key rotated, and finally tampered with. Each case builds on the one before.
    let f: CliLogFixture
    let audit: AuditLog
    let entries: Entry[]
    let k1: KeyFiles
    let k2: KeyFiles
    let cps: string
    let firstNote: string
    let secondNote: string
    const db = (args: readonly string[], env?: Record<string, string>) =>
      cli([...args, ...f.args(TABLE), '--origin', ORIGIN], env === undefined ? {} : { env })

    beforeAll(async () => {
      f = make()
      expect((await cli(['migrate', ...f.args(TABLE)])).code).toBe(0)
      audit = await f.open(TABLE, { origin: ORIGIN })
      entries = await writeEntries(audit, 20)
      k1 = keyFiles(f.dir, 'k1')
      k2 = keyFiles(f.dir, 'k2')
      cps = join(f.dir, 'checkpoints.txt')
    })
    afterAll(async () => f?.teardown())

    test('seal prints the entries it sealed and the tree size', async () => {
      const run = await db(['seal'])
      expect(run.code).toBe(0)
      const [, sealed, size] = /^sealed (\d+) entries, tree size (\d+)\n$/.exec(run.stdout) ?? []
      expect(Number(size)).toBe((await audit.treeHead()).treeSize)
      expect(Number(sealed)).toBe(Number(size))
      await sealTo(audit, 20) // PostgreSQL seals below the server's oldest transaction: finish if held back
    })

    test('checkpoint prints a signed note; --append twice appends two notes', async () => {
      const first = await db(['checkpoint', '--signing-key', k1.key, '--append', cps])
      expect(first.code).toBe(0)
      expect(verifyCheckpoint(first.stdout, [k1.vkey], { origin: ORIGIN })).toMatchObject({
        ok: true,
        checkpoint: { treeSize: 20 },
      })
      await writeEntries(audit, 5)
      await sealTo(audit, 25)
      const second = await db(['checkpoint', '--append', cps], { AUDITKIT_SIGNING_KEY_FILE: k1.key })
      expect(second.code).toBe(0)
      expect(verifyCheckpoint(second.stdout, [k1.publicKey], { origin: ORIGIN })).toMatchObject({
        checkpoint: { treeSize: 25 },
      })
      firstNote = first.stdout
      secondNote = second.stdout
      expect(readFileSync(cps, 'utf8')).toBe(`${firstNote}\n${secondNote}\n`)
      expect(parseCheckpointFile(readFileSync(cps, 'utf8'))).toEqual([firstNote, secondNote])

      const again = await db(['checkpoint', '--signing-key', k1.key, '--append', cps])
      expect(again).toMatchObject({ code: 0, stdout: secondNote })
      expect(again.stderr).toContain('not appended')
      expect(readFileSync(cps, 'utf8')).toBe(`${firstNote}\n${secondNote}\n`)
    })

    test('checkpoint --append refuses a file whose last checkpoint is of another history (exit 1, file unchanged)', async () => {
      // Another log of the same origin, signed by the same key: what a rebuilt log's checkpoint looks like.
      const other = await f.open('rebuilt', { origin: ORIGIN, signingKey: k1.privateKey })
      await writeEntries(other, 3)
      await sealTo(other, 3)
      const forked = join(f.dir, 'forked.txt')
      const text = `${firstNote}\n${(await other.checkpoint()).note}\n`
      writeFileSync(forked, text)
      const run = await db(['checkpoint', '--signing-key', k1.key, '--append', forked])
      expect(run.code).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(/not appended to .*forked\.txt: root_mismatch: /)
      expect(readFileSync(forked, 'utf8')).toBe(text)

      // A last checkpoint by a key neither signing nor trusted.
      const foreign = join(f.dir, 'foreign.txt')
      const rival = await f.open('rival', { origin: ORIGIN, signingKey: k2.privateKey })
      await writeEntries(rival, 1)
      writeFileSync(foreign, `${(await rival.checkpoint()).note}\n`)
      const refused = await db(['checkpoint', '--signing-key', k1.key, '--append', foreign])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(': unknown_key: ')
    })

    test('verify exits 0 on a clean log with a summary (and no bar when piped); --format json parses', async () => {
      const run = await db(['verify', '--checkpoints', cps, '--public-key', k1.pub])
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^result +ok$/m)
      expect(run.stdout).toMatch(/^entries +25$/m)
      expect(run.stdout).toMatch(/^signatures checked +yes$/m)
      expect(run.stderr).toBe('')
      const json = await db(['verify', '--checkpoints', cps, '--public-key', k1.vkey, '--format', 'json'])
      expect(json.code).toBe(0)
      const result = JSON.parse(json.stdout) as VerifyResult
      expect(result).toMatchObject({ ok: true, entries: 25, treeSize: 25, signaturesChecked: true, problems: [] })
      expect(result.checkpointsChecked).toBeGreaterThanOrEqual(2)
      const from = await db(['verify', '--from', cps, '--public-key', k1.pub, '--format', 'json'])
      expect(JSON.parse(from.stdout)).toMatchObject({ ok: true, fromSeq: 25, entries: 0 })
    })

    test('prove and verify-proof: ok; an edited entry fails with leaf_mismatch, another key with unknown_key', async () => {
      const target = await audit.getLog((entries[3] as Entry).uuid)
      const proved = await db(['prove', target.uuid])
      expect(proved.code).toBe(0)
      const doc = JSON.parse(proved.stdout)
      expect(doc).toMatchObject({
        entry: { uuid: target.uuid, seq: target.seq },
        proof: { leafIndex: target.seq, treeSize: 25 },
      })
      expect(doc.checkpoint).toBe(secondNote) // the newest stored checkpoint by default
      expect(doc.entry.insertedAt).toBe(target.insertedAt.toISOString())
      const file = join(f.dir, 'proof.json')
      writeFileSync(file, proved.stdout)
      const check = (proof: string, ...more: string[]) =>
        cli(['verify-proof', proof, '--checkpoint', cps, '--origin', ORIGIN, ...more])
      const ok = await check(file, '--public-key', k1.pub)
      expect(ok.code).toBe(0)
      expect(ok.stdout).toMatch(/^ok/)
      expect(ok.stderr).toBe('')

      const edited = join(f.dir, 'edited-proof.json')
      writeFileSync(edited, JSON.stringify({ ...doc, entry: { ...doc.entry, metadata: { i: 99 } } }))
      expect(await check(edited, '--public-key', k1.pub)).toMatchObject({
        code: 1,
        stdout: expect.stringMatching(/^failed: leaf_mismatch: /),
      })
      expect(await check(file, '--public-key', k2.pub)).toMatchObject({
        code: 1,
        stdout: expect.stringMatching(/^failed: unknown_key: /),
      })

      // Self-contained: the checkpoint from the proof file, the origin from the checkpoint, each said.
      const alone = await cli(['verify-proof', file, '--public-key', k1.vkey])
      expect(alone.code).toBe(0)
      expect(alone.stderr).toContain('the checkpoint was taken from the proof file itself')
      expect(alone.stderr).toContain(`origin '${ORIGIN}' was taken from the checkpoint itself`)

      const older = JSON.parse((await db(['prove', target.uuid, '--tree-size', '20'])).stdout)
      expect(older).toMatchObject({ proof: { treeSize: 20 }, checkpoint: firstNote })
    })

    test('verify-export: no database; an edited line, another key fail (exit 1); two keys across a rotation pass', async () => {
      const file = join(f.dir, 'export.jsonl')
      const lines = await exportTo(audit, file)
      const exported = (checkpoints: string, ...keys: string[]) =>
        cli(['verify-export', file, '--checkpoint', checkpoints, ...keys.flatMap((k) => ['--public-key', k])])
      const good = await exported(cps, k1.pub)
      expect(good.code).toBe(0)
      expect(good.stdout).toMatch(/^checkpoints checked +2$/m)

      const wrongKey = await exported(cps, k2.pub)
      expect(wrongKey.code).toBe(1)
      expect(wrongKey.stdout).toContain('bad_checkpoint')
      expect(wrongKey.stdout).toContain('does not verify')

      writeFileSync(file, `${lines.map((l, i) => (i === 5 ? l.replace('"i":5', '"i":55') : l)).join('\n')}\n`)
      const edited = await exported(cps, k1.pub)
      expect(edited.code).toBe(1)
      expect(edited.stdout).toContain('root_mismatch')

      // The key rotates: the new key's first checkpoint is appended after the old key's (both trusted).
      await writeEntries(audit, 4)
      await sealTo(audit, 29)
      const rotated = await db(['checkpoint', '--signing-key', k2.key, '--trusted-key', k1.pub, '--append', cps])
      expect(rotated.code).toBe(0)
      expect(parseCheckpointFile(readFileSync(cps, 'utf8'))).toHaveLength(3)
      await exportTo(audit, file)
      const both = await exported(cps, k1.pub, k2.vkey)
      expect(both.code).toBe(0)
      expect(both.stdout).toMatch(/^checkpoints checked +3$/m)
      expect((await exported(cps, k1.pub)).code).toBe(1)
    })

    test('verify exits 1 on a tampered log and names the edited entry', async () => {
      const victim = await audit.getLog((entries[7] as Entry).uuid)
      await f.disableAppendOnly(TABLE)
      await f.sql(`UPDATE ${f.quoted(TABLE)} SET action = 'user_deleted' WHERE uuid = ?`, [victim.uuid])
      const keys = ['--public-key', k1.pub, '--public-key', k2.pub]
      const run = await db(['verify', '--checkpoints', cps, ...keys])
      expect(run.code).toBe(1)
      expect(run.stdout).toMatch(/^result +FAILED/m)
      expect(run.stdout).toMatch(new RegExp(`^leaf_mismatch +${victim.seq} +${victim.uuid} `, 'm'))
      const json = await db(['verify', '--checkpoints', cps, ...keys, '--format', 'json'])
      expect(json.code).toBe(1)
      const result = JSON.parse(json.stdout) as VerifyResult
      expect(result.ok).toBe(false)
      expect(result.problems).toContainEqual(
        expect.objectContaining({ kind: 'leaf_mismatch', seq: victim.seq, uuid: victim.uuid }),
      )
    })
  })
}

describe('progress and exit codes', () => {
  let f: CliLogFixture
  beforeAll(async () => {
    f = sqliteCliLog()
    const audit = await f.open(TABLE)
    await writeEntries(audit, 50)
    await audit.seal()
  })
  afterAll(async () => f?.teardown())

  test('verify shows a progress bar under a terminal, and none when piped', async () => {
    const terminal = await cliInTerminal(['verify', ...f.args(TABLE)])
    expect(terminal.code).toBe(0)
    expect(terminal.stdout).toContain('verify [')
    expect(terminal.stdout).toMatch(/\d+\/s/)
    const piped = await cli(['verify', ...f.args(TABLE)])
    expect(piped.code).toBe(0)
    expect(piped.stderr).not.toContain('/s')
    expect(piped.stdout).not.toContain('/s')
  })

  test('usage errors exit 2', async () => {
    const noCheckpoint = await cli(['verify-export', join(f.dir, 'x.jsonl'), '--public-key', 'k.pub'])
    expect(noCheckpoint.code).toBe(2)
    expect(noCheckpoint.stderr).toContain('--checkpoint')
    const unknown = await cli(['verify', '--bogus', ...f.args(TABLE)])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown option '--bogus'")
    expect((await cli(['verify', '--format', 'xml', ...f.args(TABLE)])).code).toBe(2)
    const noDatabase = await cli(['verify'])
    expect(noDatabase.code).toBe(2)
    expect(noDatabase.stderr).toContain('AUDITKIT_DATABASE')
  })

  test('a database that is down exits 3', async () => {
    const run = await cli(['verify', '--database', 'postgres://postgres@127.0.0.1:1/test'])
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/^auditkit: /)
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1) // one line, no stack trace
  })
})
