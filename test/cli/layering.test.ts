import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  )
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((m) => relative(SRC, resolve(dirname(file), m[1] as string)))
}

test('the CLI is a shell: it imports the public API (src/index.ts) and its own files only; the core never imports it', () => {
  const cli = files(join(SRC, 'cli'))
  expect(cli.length).toBeGreaterThan(10)
  for (const file of cli) {
    for (const target of relativeImports(file)) {
      expect(target === 'index.js' || target.startsWith('cli/'), `${relative(SRC, file)} imports ${target}`).toBe(true)
    }
  }
  for (const file of files(SRC).filter((f) => !f.startsWith(join(SRC, 'cli')))) {
    for (const target of relativeImports(file)) {
      expect(target.startsWith('cli/'), `${relative(SRC, file)} imports ${target}`).toBe(false)
    }
  }
})
