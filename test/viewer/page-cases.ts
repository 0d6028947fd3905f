import { expect, test } from 'vitest'
import { expectKeyOnlyInSession } from './browse-cases.js'
import { resultPath } from './viewer-harness.js'
import {
  byTestId,
  expectUrlParam,
  keySecret,
  overflowsSideways,
  type PageGlobals,
  settledBadges,
  UI_TIMEOUT,
} from './viewer-page.js'
import { HOSTILE_AGENT } from './viewer-seed.js'
import { shows, type ViewerFixture } from './viewer-suite.js'

const MOBILE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 800 }

/**
 * The page as a page: its headers, hostile text, keyboard, layout, sign-out, and what left the
 * browser. `pageOnly` cases do not depend on the engine, and run once (on SQLite).
 */
export function pageCases(fixture: () => ViewerFixture, pageOnly: string | undefined): void {
  const once = (name: string) => (pageOnly === undefined ? name : `${name} (skipped: ${pageOnly})`)

  test('/ serves the viewer with a CSP that forbids other origins, inline script and framing, nosniff and no-referrer', async () => {
    const f = fixture()
    const res = await fetch(`${f.server.url}/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = res.headers.get('content-security-policy') ?? ''
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0] !== '')
        .map(([name, ...values]) => [name as string, values]),
    )
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(["'none'", "'self'"]).toContain(directives.get('default-src')?.join(' '))
    for (const name of ['default-src', 'script-src', 'connect-src', 'style-src', 'img-src']) {
      const values = directives.get(name) ?? directives.get('default-src') ?? []
      expect(values, name).not.toContain('*')
      expect(
        values.filter((v) => /^(https?:|\*|[\w-]+\.[\w.-]+)/.test(v)),
        `${name} names no other origin`,
      ).toEqual([])
    }
    const scripts = directives.get('script-src') ?? directives.get('default-src') ?? []
    expect(scripts).not.toContain("'unsafe-inline'")
    expect(scripts).not.toContain("'unsafe-eval'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    const html = await res.text()
    expect(html).toContain('/viewer/app.js')
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/) // no inline script
    expect((await fetch(`${f.server.url}/viewer/app.js`)).status).toBe(200)
  })

  test.skipIf(pageOnly !== undefined)(
    once('a hostile user agent is shown as text: no element made of it, no script run'),
    async () => {
      const f = fixture()
      const page = await f.signedIn()
      const entry = (await f.entries()).find((e) => e.userAgent === HOSTILE_AGENT)!
      const row = page.locator(`tr[data-testid="row"][data-uuid="${entry.uuid}"]`)
      await row.waitFor({ timeout: UI_TIMEOUT })
      const agent = row.locator('[data-col="agent"]')
      const shown = `${await agent.textContent()} ${(await agent.getAttribute('title')) ?? ''}`
      expect(shown).toContain('<img')
      await row.locator('[data-col="ip"]').click()
      await shows(page, 'detail')
      expect((await page.locator(byTestId('detail-field-userAgent')).textContent())?.trim()).toContain(HOSTILE_AGENT)
      await page.waitForTimeout(300)
      expect(await page.locator('img[src="x"]').count()).toBe(0)
      expect(f.record.dialogs).toEqual([])
    },
  )

  test.skipIf(pageOnly !== undefined)(
    once('the UTC toggle: time cells in local time (Asia/Kolkata here), or in UTC with utc=1 in the URL'),
    async () => {
      const f = fixture()
      const page = await f.signedIn()
      const entry = (await f.entries())[0]!
      const cell = page.locator(`tr[data-testid="row"][data-uuid="${entry.uuid}"] [data-col="time"]`)
      const hhmm = (at: Date) => at.toISOString().slice(11, 16)
      const local = hhmm(new Date(entry.insertedAt.getTime() + 5.5 * 3_600_000))
      expect(await cell.textContent()).toContain(local)
      await page.locator(byTestId('utc')).check()
      await expectUrlParam(page, 'utc', ['1'])
      await expect.poll(() => cell.textContent(), { timeout: UI_TIMEOUT }).toContain(hhmm(entry.insertedAt))
    },
  )

  test.skipIf(pageOnly !== undefined)(
    once('keyboard: Tab reaches a row, Enter opens its detail, Escape closes it'),
    async () => {
      const f = fixture()
      const page = await f.signedIn()
      await settledBadges(page)
      let focused: string | null = null
      for (let i = 0; i < 80 && focused === null; i++) {
        await page.keyboard.press('Tab')
        focused = await page.evaluate(() => {
          const active = (globalThis as unknown as PageGlobals).document.activeElement
          return active?.matches('tr[data-testid="row"]') ? active.getAttribute('data-uuid') : null
        })
      }
      expect(focused, 'no row took the focus within 80 Tabs').not.toBeNull()
      await page.keyboard.press('Enter')
      await shows(page, 'detail')
      expect(await page.locator(byTestId('detail-field-uuid')).textContent()).toContain(focused as string)
      await page.keyboard.press('Escape')
      await page.locator(byTestId('detail')).waitFor({ state: 'hidden', timeout: UI_TIMEOUT })
    },
  )

  test.skipIf(pageOnly !== undefined)(
    once('layout: at 1280x800 and at 390x844 the page never scrolls sideways (the table may, in its own box)'),
    async () => {
      const f = fixture()
      for (const [name, viewport] of [
        ['1280', DESKTOP],
        ['390', MOBILE],
      ] as const) {
        const page = await f.signedIn(viewport)
        await settledBadges(page)
        const table = await overflowsSideways(page)
        expect(table.scrollWidth, `the table view at ${name}`).toBeLessThanOrEqual(table.innerWidth)
        await page.screenshot({ path: resultPath(`${f.engine.slug}-layout-table-${name}.png`) })
        const uuid = await page.locator('tr[data-testid="row"]').nth(1).getAttribute('data-uuid')
        await page.locator(`tr[data-testid="row"][data-uuid="${uuid}"] [data-col="time"]`).click()
        await shows(page, 'detail')
        const detail = await overflowsSideways(page)
        expect(detail.scrollWidth, `the detail at ${name}`).toBeLessThanOrEqual(detail.innerWidth)
        await page.screenshot({ path: resultPath(`${f.engine.slug}-layout-detail-${name}.png`) })
      }
    },
  )

  test.skipIf(pageOnly !== undefined)(
    once('sign-out removes the key from sessionStorage and shows the sign-in form, across a reload'),
    async () => {
      const f = fixture()
      const page = await f.signedIn()
      await expectKeyOnlyInSession(page, f.apiKey)
      await page.locator(byTestId('sign-out')).click()
      await shows(page, 'signin-form')
      expect(
        await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('auditkit.key')),
      ).toBeNull()
      await page.reload()
      await shows(page, 'signin-form')
      expect(await page.locator('tr[data-testid="row"]').count()).toBe(0)
    },
  )

  // Last: it holds every request the file's tests made against the rules.
  test('the key went only in Authorization headers to the origin, never in a URL, a body or the server logs; no request to another origin; no page error', () => {
    const f = fixture()
    const { requests, pageErrors, dialogs } = f.record
    expect(requests.length).toBeGreaterThan(50)
    const secrets = f.apiKeys.map(keySecret)
    const holds = (text: string) => secrets.some((secret) => text.includes(secret))
    const leaks = requests.filter(
      (r) =>
        holds(r.url) ||
        holds(r.body ?? '') ||
        Object.entries(r.headers).some(([name, value]) => name !== 'authorization' && holds(value)),
    )
    expect(leaks.map((r) => r.url)).toEqual([])
    expect(f.servers.filter((s) => holds(s.output())).map((s) => s.url)).toEqual([])
    // The request log did log the requests (so that the check above looked at something).
    expect(f.servers[0]?.output()).toMatch(/\/v1\/log\/proofs/)
    const foreign = requests.filter((r) => !r.url.startsWith('data:') && !f.origins.has(new URL(r.url).origin))
    expect(foreign.map((r) => r.url)).toEqual([])
    const api = requests.filter((r) => new URL(r.url).pathname.startsWith('/v1/'))
    expect(api.length).toBeGreaterThan(20)
    expect(api.filter((r) => !/^Bearer ak_/.test(r.headers.authorization ?? '')).map((r) => r.url)).toEqual([])
    const withKey = requests.filter((r) => r.headers.authorization !== undefined)
    expect(withKey.filter((r) => !new URL(r.url).pathname.startsWith('/v1/')).map((r) => r.url)).toEqual([])
    expect({ pageErrors, dialogs }).toEqual({ pageErrors: [], dialogs: [] })
  })
}
