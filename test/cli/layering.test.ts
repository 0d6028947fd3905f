import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
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

test('the viewer is a shell too: from src/ it imports only src/verify.ts (the browser-safe auditkit/verify)', () => {
  const viewer = fileURLToPath(new URL('../../viewer/src/', import.meta.url))
  const own = readdirSync(viewer, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.tsx?$/.test(d.name))
    .map((d) => join(d.parentPath, d.name))
  expect(own.length).toBeGreaterThan(3)
  for (const file of own) {
    // TypeScript's own scanner lists the imports (static, dynamic and re-exports), not a regex.
    for (const imported of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const target = imported.fileName
      if (!target.startsWith('.')) {
        expect(['preact', 'preact/hooks', 'preact/jsx-runtime'], `${file} imports ${target}`).toContain(target)
        continue
      }
      const resolved = resolve(dirname(file), target)
      const inViewer = resolved.startsWith(viewer)
      expect(inViewer || relative(SRC, resolved) === 'verify.js', `${file} imports ${target}`).toBe(true)
    }
  }
})
