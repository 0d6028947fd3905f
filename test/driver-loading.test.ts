import { execFileSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'

// Run in a fresh process: the test runner itself has loaded both drivers.
function loadedDrivers(script: string): string[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
  })
  return JSON.parse(out.trim().split('\n').at(-1) as string)
}

const REPORT = `
import { createRequire } from 'node:module'
const cache = Object.keys(createRequire(import.meta.url).cache)
console.log(JSON.stringify(['better-sqlite3', '/pg/lib/'].filter((name) => cache.some((p) => p.includes(name)))))`

describe('drivers load lazily', () => {
  test('importing the core loads no driver', () => {
    expect(loadedDrivers(`await import('./src/index.ts');${REPORT}`)).toEqual([])
  })

  test('an SQLite log loads better-sqlite3 and not pg', () => {
    const script = `const { createAuditLog } = await import('./src/index.ts'); const a = await createAuditLog({ database: 'sqlite::memory:' }); await a.close();${REPORT}`
    expect(loadedDrivers(script)).toEqual(['better-sqlite3'])
  })
})
