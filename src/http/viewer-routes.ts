import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Context, Hono } from 'hono'
import { ValidationError } from '../index.js'
import { problem } from './problem.js'

/**
 * How the web viewer is served: `frameAncestors` lists the origins that may embed it in a frame
 * (CSP `frame-ancestors`; default none, so no page can frame it).
 *
 * @example
 * createAuditApp({ audit, viewer: { frameAncestors: ['https://admin.example.com'] } })
 */
export interface ViewerOptions {
  readonly frameAncestors?: readonly string[]
}

const TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'size.json': 'application/json',
}

// The built viewer: dist/viewer beside dist/http when installed; from the sources (tests), the
// build output of the checkout.
function viewerDir(): string | undefined {
  for (const relative of ['../viewer/', '../../dist/viewer/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url))
    if (existsSync(`${dir}index.html`)) return dir
  }
  return undefined
}

// A CSP source for frame-ancestors: a scheme and host (and port), or 'self'. Nothing that could
// end the directive or add another (`;`, `,`, spaces, quotes).
const FRAME_SOURCE = /^(?:'self'|https?:\/\/(?:\*\.)?[a-z0-9.-]+(?::\d{1,5})?)$/i

/**
 * The security headers of every viewer response: nothing from another origin, no inline code.
 * Throws a ValidationError for a `frameAncestors` entry that is not an origin.
 */
export function viewerHeaders(options: ViewerOptions = {}): Record<string, string> {
  const bad = (options.frameAncestors ?? []).flatMap((source, i) =>
    typeof source === 'string' && FRAME_SOURCE.test(source)
      ? []
      : [
          {
            field: `viewer.frameAncestors[${i}]`,
            message: "must be an origin such as https://admin.example.com, or 'self'",
          },
        ],
  )
  if (bad.length > 0) throw new ValidationError(bad)
  const ancestors = options.frameAncestors?.length ? options.frameAncestors.join(' ') : "'none'"
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ')
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
    ...(options.frameAncestors?.length ? {} : { 'X-Frame-Options': 'DENY' }),
  }
}

/**
 * `GET /` (the viewer's page) and `GET /viewer/{file}` (its script and style), from the files
 * `npm run build` writes to `dist/viewer/`, read once and kept in memory. Without a built viewer,
 * a 404 problem that says so.
 */
export function registerViewerRoutes(app: Hono, options: ViewerOptions = {}): void {
  const headers = viewerHeaders(options)
  const cache = new Map<string, Uint8Array<ArrayBuffer>>()
  let dir: string | undefined | null = null
  const send = (c: Context, file: string) => {
    dir = dir === null ? viewerDir() : dir
    const type = TYPES[file]
    if (dir === undefined) return problem(c, 404, 'the web viewer is not built (npm run build)')
    if (type === undefined) return problem(c, 404, `no file ${file} in the viewer`)
    let body = cache.get(file)
    if (body === undefined) {
      body = Uint8Array.from(readFileSync(`${dir}${file}`))
      cache.set(file, body)
    }
    return c.body(body, 200, { ...headers, 'Content-Type': type })
  }
  app.get('/', (c) => send(c, 'index.html'))
  app.get('/viewer/:file', (c) => send(c, c.req.param('file')))
}
