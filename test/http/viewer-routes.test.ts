import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuditApp } from '../../src/http.js'
import { type AuditLog, createAuditLog, ValidationError } from '../../src/index.js'
import { ensureBuilt, ROOT } from '../cli/cli-harness.js'
import { expectProblem } from './http-engines.js'

describe('the web viewer as served by createAuditApp', () => {
  let audit: AuditLog
  beforeAll(async () => {
    ensureBuilt()
    audit = await createAuditLog({ database: 'sqlite::memory:', sealIntervalMs: 0 })
  })
  afterAll(() => audit.close())
  const app = (options: Parameters<typeof createAuditApp>[0]['viewer'] = true) =>
    createAuditApp({ audit: audit as unknown as AuditLog<string>, viewer: options })

  test('/ and its files, as built, with a CSP that allows nothing from another origin and no framing', async () => {
    const page = await app().request('/')
    expect(page.status).toBe(200)
    expect(page.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toBe(readFileSync(join(ROOT, 'dist/viewer/index.html'), 'utf8'))
    const csp = page.headers.get('Content-Security-Policy') ?? ''
    const directives = Object.fromEntries(
      csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    )
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
    })
    expect(page.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(page.headers.get('Referrer-Policy')).toBe('no-referrer')
    expect(page.headers.get('X-Frame-Options')).toBe('DENY')
    for (const [file, type] of [
      ['app.js', 'text/javascript'],
      ['app.css', 'text/css'],
    ] as const) {
      const res = await app().request(`/viewer/${file}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('Content-Type')).toMatch(new RegExp(`^${type}`))
      expect(res.headers.get('Content-Security-Policy')).toBe(csp)
      expect(Buffer.from(await res.arrayBuffer())).toEqual(readFileSync(join(ROOT, 'dist/viewer', file)))
    }
    // Nothing else is served from the folder: no path walks out of it.
    await expectProblem(await app().request('/viewer/other.js'), 404)
    await expectProblem(await app().request('/viewer/..%2Fcli%2Fmain.js'), 404)
    await expectProblem(await app().request('/viewer/%2e%2e%2fhttp.js'), 404)
  })

  test('embedding is allowed only for the origins given; viewer: false leaves it out', async () => {
    const framed = await app({ frameAncestors: ['https://admin.example.com'] }).request('/')
    expect(framed.headers.get('Content-Security-Policy')).toContain('frame-ancestors https://admin.example.com')
    expect(framed.headers.get('X-Frame-Options')).toBeNull()
    for (const source of ['https://a.example; script-src *', 'javascript:x', "'unsafe-inline'", 'https://a b']) {
      expect(() => app({ frameAncestors: [source] }), source).toThrow(ValidationError)
    }
    await expectProblem(await app(false).request('/'), 404)
    expect((await app(false).request('/healthz')).status).toBe(200)
  })
})
