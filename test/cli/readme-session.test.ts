import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { BIN, ensureBuilt, readmeShellBlock } from './cli-harness.js'

let dir: string

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'auditkit-readme-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test("the README's first CLI session runs as written, and its auditor's check passes", () => {
  const script = readmeShellBlock('cli-session').replaceAll('npx auditkit', `"${process.execPath}" "${BIN}"`)
  expect(script).toContain('verify-export')
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, AUDITKIT_DATABASE: undefined },
  })
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  expect(statSync(join(dir, 'audit.key')).mode & 0o777).toBe(0o600)
  expect(run.stdout).toMatch(/^auditkit\/auditkit_entries\+[0-9a-f]{8}\+/m)
  expect(readFileSync(join(dir, 'checkpoints.txt'), 'utf8')).toMatch(/^auditkit\/auditkit_entries\n1\n/)
  expect(readFileSync(join(dir, 'audit-export.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1)
})
