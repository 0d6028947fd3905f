import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { BIN, ensureBuilt, readmeShellBlock } from './cli-harness.js'

let dir: string

beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'auditkit-readme-service-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

test("the README's service session runs as written: keys, serve, write, list, count, export, proof verified offline, graceful stop", async () => {
  const port = await freePort()
  const script = readmeShellBlock('service-session')
    .replaceAll('npx auditkit', `"${process.execPath}" "${BIN}"`)
    .replaceAll('8080', String(port))
  expect(script).toContain('verify-proof')
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, AUDITKIT_DATABASE: undefined },
  })
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  // The list and the count printed the written entry; verify-proof printed ok.
  const entry = JSON.parse(readFileSync(join(dir, 'entry.json'), 'utf8')) as { uuid: string; action: string }
  expect(entry.action).toBe('admin_password_reset')
  expect(run.stdout).toContain(`"uuid":"${entry.uuid}"`)
  expect(run.stdout).toContain('{"count":1}')
  expect(run.stdout).toMatch(/^ok/m)
  const csv = readFileSync(join(dir, 'resets.csv'), 'utf8').trim().split('\n')
  expect(csv).toHaveLength(2)
  expect(csv[1]).toContain(entry.uuid)
  // The graceful stop signed a last checkpoint covering the entry.
  expect(readFileSync(join(dir, 'checkpoints.txt'), 'utf8')).toMatch(/^auditkit\/auditkit_entries\n1\n/m)
})
