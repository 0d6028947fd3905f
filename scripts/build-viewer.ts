// Builds the web viewer (issue 11) into dist/viewer/: app.js (viewer/src/main.tsx and the
// auditkit/verify code it imports, bundled by esbuild), app.css and index.html (no inline script
// or style: the server's CSP forbids both), and size.json with the raw and gzipped sizes. Fails
// when the gzipped total passes the budget. Run by `npm run build`: `tsx scripts/build-viewer.ts`.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'dist', 'viewer')
/** The budget: the shipped bundle under 150 KB gzipped. */
const BUDGET_GZIP = 150 * 1024

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>auditkit</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/viewer/app.css">
<script type="module" src="/viewer/app.js"></script>
</head>
<body>
<div id="app"></div>
<noscript>The auditkit viewer needs JavaScript.</noscript>
</body>
</html>
`

async function bundle(): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: 'viewer/src/main.tsx', out: 'app' },
      { in: 'viewer/src/app.css', out: 'app' },
    ],
    outdir: OUT,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    tsconfig: 'viewer/tsconfig.json',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  })
}

interface Sizes {
  js: number
  jsGzip: number
  css: number
  cssGzip: number
  totalGzip: number
}

async function measure(): Promise<Sizes> {
  const js = await readFile(join(OUT, 'app.js'))
  const css = await readFile(join(OUT, 'app.css'))
  const jsGzip = gzipSync(js, { level: 9 }).length
  const cssGzip = gzipSync(css, { level: 9 }).length
  return { js: js.length, jsGzip, css: css.length, cssGzip, totalGzip: jsGzip + cssGzip }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

async function main(): Promise<void> {
  await rm(OUT, { recursive: true, force: true })
  await mkdir(OUT, { recursive: true })
  await bundle()
  await writeFile(join(OUT, 'index.html'), INDEX_HTML)
  const sizes = await measure()
  await writeFile(join(OUT, 'size.json'), `${JSON.stringify(sizes, null, 2)}\n`)
  console.log(
    `viewer: app.js ${kb(sizes.js)} (${kb(sizes.jsGzip)} gzipped), app.css ${kb(sizes.css)} (${kb(sizes.cssGzip)} gzipped), total ${kb(sizes.totalGzip)} gzipped`,
  )
  if (sizes.totalGzip > BUDGET_GZIP) {
    console.error(`viewer: the bundle is ${kb(sizes.totalGzip)} gzipped, over the ${kb(BUDGET_GZIP)} budget`)
    process.exitCode = 1
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
