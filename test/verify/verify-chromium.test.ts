import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Metafile } from 'esbuild'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CHROMIUM, CHROMIUM_LAUNCH, HAS_CHROMIUM } from '../support/chromium.js'
import type { VectorResult } from './run-vectors.js'
import { CANONICAL_VECTORS, LEAF_VECTORS, VERIFIER_VECTORS } from './vectors.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
// CI installs Chromium (.ci/run): there a missing browser is a failure, never a silent skip.
const MUST_RUN = process.env.CI === 'true'

// What auditkit/verify may bring into a page: the browser-safe rules, nothing that needs Node.js.
const BROWSER_SAFE_SOURCES = [
  'src/errors.ts',
  'src/tlog/bytes.ts',
  'src/tlog/canonical-json.ts',
  'src/tlog/checkpoint.ts',
  'src/tlog/entry-canonical.ts',
  'src/tlog/merkle-verify.ts',
  'src/tlog/note-error.ts',
  'src/tlog/signed-note.ts',
  'src/tlog/steps.ts',
  'src/tlog/tree-math.ts',
  'src/tlog/verifier-keys.ts',
  'src/tlog/verifiers.ts',
  'src/tlog/web-crypto.ts',
  'src/verify.ts',
]
const NODE_ONLY_SOURCES = [
  'src/tlog/node-crypto.ts',
  'src/tlog/merkle-hash.ts',
  'src/tlog/keys.ts',
  'src/tlog/note-keys.ts',
  'src/tlog/entry-leaf.ts',
]

let bundleDir: string | undefined
let bundle: { code: string; metafile: Metafile }

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'auditkit-verify-bundle-'))
  const outfile = join(bundleDir, 'bundle.js')
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['test/verify/browser-entry.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    metafile: true,
    outfile,
    logLevel: 'silent',
  })
  bundle = { code: await readFile(outfile, 'utf8'), metafile: result.metafile }
})

afterAll(async () => {
  if (bundleDir !== undefined) await rm(bundleDir, { recursive: true, force: true })
})

describe('the auditkit/verify bundle', () => {
  test('imports no Node.js builtin', () => {
    const { inputs, outputs } = bundle.metafile
    const paths = [
      ...Object.keys(inputs),
      ...Object.values(inputs).flatMap((input) => input.imports.map((i) => i.path)),
      ...Object.values(outputs).flatMap((output) => output.imports.map((i) => i.path)),
    ]
    expect(paths.filter((p) => p.startsWith('node:'))).toEqual([])
  })

  test('holds exactly the browser-safe sources of src/', () => {
    const fromSrc = Object.keys(bundle.metafile.inputs).filter((p) => p.startsWith('src/'))
    expect(fromSrc.filter((p) => NODE_ONLY_SOURCES.includes(p))).toEqual([])
    expect(fromSrc.sort()).toEqual(BROWSER_SAFE_SOURCES)
  })

  test('uses no Buffer and no require()', () => {
    expect(bundle.code).not.toMatch(/\bBuffer\b/)
    expect(bundle.code).not.toContain('require(')
  })
})

const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>auditkit/verify vectors</title>
<script type="module" src="/bundle.js"></script>
</html>
`

const CHROMIUM_SUITE = HAS_CHROMIUM
  ? 'auditkit/verify in Chromium'
  : MUST_RUN
    ? `auditkit/verify in Chromium (${CHROMIUM} is missing, and CI=true requires it)`
    : `auditkit/verify in Chromium (skipped: no ${CHROMIUM}; with CI=true this fails instead)`

describe.skipIf(!HAS_CHROMIUM && !MUST_RUN)(CHROMIUM_SUITE, () => {
  let server: Server | undefined
  let context: BrowserContext | undefined
  let userDataDir: string | undefined
  let origin = ''
  const consoleErrors: string[] = []
  const foreignRequests: string[] = []

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error(`CI=true and ${CHROMIUM} is missing: the browser test must run on CI`)
    server = await serve({
      '/': { type: 'text/html; charset=utf-8', body: PAGE },
      '/bundle.js': { type: 'text/javascript; charset=utf-8', body: bundle.code },
    })
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    userDataDir = await mkdtemp(join(tmpdir(), 'auditkit-verify-chromium-'))
    // Playwright refuses --user-data-dir in `args`: a persistent context is how it takes a fresh one.
    context = await chromium.launchPersistentContext(userDataDir, { ...CHROMIUM_LAUNCH })
    context.on('request', (request) => {
      if (new URL(request.url()).origin !== origin) foreignRequests.push(request.url())
    })
  })

  afterAll(async () => {
    await context?.close()
    if (server !== undefined) await closeServer(server)
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true })
  })

  test('every vector passes, with no console error and no request to another origin', async () => {
    const page = context!.pages()[0] ?? (await context!.newPage())
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(error.message))
    await page.goto(`${origin}/`)
    // Loopback http is a secure context, which WebCrypto needs.
    expect(await page.evaluate(() => (globalThis as { isSecureContext?: boolean }).isSecureContext)).toBe(true)
    await page.waitForFunction(() => '__results' in globalThis, undefined, { timeout: 20_000 })
    const results = await page.evaluate(() => (globalThis as { __results?: unknown }).__results)

    expect(results, 'the runner itself failed in the page').toBeInstanceOf(Array)
    const list = results as VectorResult[]
    const names = [...CANONICAL_VECTORS, ...LEAF_VECTORS, ...VERIFIER_VECTORS].map((v) => v.name)
    expect(list.map((r) => r.name)).toEqual(names)
    const failed = list.filter((r) => !r.passed).map((r) => `${r.name}: got ${JSON.stringify(r.got)}`)
    expect(failed, `vectors failed in Chromium:\n${failed.join('\n')}`).toEqual([])
    expect({ consoleErrors, foreignRequests }).toEqual({ consoleErrors: [], foreignRequests: [] })
  })
})

type Files = Record<string, { readonly type: string; readonly body: string }>

/** A loopback server for `files`; the favicon Chromium asks for gets an empty answer, not a 404 error. */
function serve(files: Files): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    const file = files[path]
    if (file === undefined) {
      response.writeHead(path === '/favicon.ico' ? 204 : 404).end()
      return
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
}
