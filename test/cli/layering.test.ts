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

for (const shell of ['cli', 'http']) {
  test(`${shell} is a shell: it imports the public API (src/index.ts; the CLI also src/http.ts) and its own files only; the core never imports it`, () => {
    const own = files(join(SRC, shell))
    expect(own.length).toBeGreaterThan(3)
    for (const file of own) {
      for (const target of relativeImports(file)) {
        // The CLI may also import http.js: `auditkit serve` runs the HTTP service, and http.js is a
        // public entry point (the `auditkit/http` subpath), not a file inside the HTTP shell.
        const publicEntries = shell === 'cli' ? ['index.js', 'http.js'] : ['index.js']
        const allowed = publicEntries.includes(target) || target.startsWith(`${shell}/`)
        expect(allowed, `${relative(SRC, file)} imports ${target}`).toBe(true)
      }
    }
    const core = files(SRC).filter((f) => !f.startsWith(join(SRC, 'cli')) && !f.startsWith(join(SRC, 'http')))
    for (const file of core.filter((f) => !['http.ts', 'verify.ts'].includes(relative(SRC, f)))) {
      for (const target of relativeImports(file)) {
        expect(target.startsWith(`${shell}/`), `${relative(SRC, file)} imports ${target}`).toBe(false)
      }
    }
  })
}
