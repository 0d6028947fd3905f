import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { resultPath } from './viewer-harness.js'
import {
  byTestId,
  expectRows,
  expectUrlParam,
  keySecret,
  type PageGlobals,
  rowUuids,
  shownCount,
  signIn,
  UI_TIMEOUT,
  urlState,
} from './viewer-page.js'
import { matches, USERS, type ViewFilter } from './viewer-seed.js'
import { shows, type ViewerFixture } from './viewer-suite.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** The page size the page uses now (the `page-size` select). */
async function pageSize(page: Page): Promise<number> {
  return Number(await page.locator(byTestId('page-size')).inputValue())
}

/** The page shows the first page of `filter` and its count. */
async function expectView(f: ViewerFixture, page: Page, filter: ViewFilter): Promise<string[]> {
  const expected = (await f.entries()).filter((e) => matches(e, filter)).map((e) => e.uuid)
  await expectRows(page, expected.slice(0, await pageSize(page)))
  await expect.poll(() => shownCount(page), { timeout: UI_TIMEOUT }).toBe(expected.length)
  return expected
}

/** Where the key could leak in the page itself: the URL, localStorage, cookies. */
export async function expectKeyOnlyInSession(page: Page, apiKey: string): Promise<void> {
  const where = await page.evaluate(() => {
    const { location, localStorage, document, sessionStorage } = globalThis as unknown as PageGlobals
    return {
      href: location.href,
      local: JSON.stringify(Object.entries(localStorage)),
      cookie: document.cookie,
      session: sessionStorage.getItem('auditkit.key'),
    }
  })
  const secret = keySecret(apiKey)
  for (const leak of [where.href, where.local, where.cookie]) {
    expect(leak).not.toContain(apiKey)
    expect(leak).not.toContain(secret)
  }
  expect(where.session).toBe(apiKey)
}

/** Sign-in, the first page, the count, and every filter with the URL it writes. */
export function browseCases(fixture: () => ViewerFixture): void {
  test('sign-in: a wrong key is refused; the read key signs in, the served key is pinned; a page of rows, newest first, and the count', async () => {
    const f = fixture()
    const { page } = await f.fresh()
    await page.goto(`${f.server.url}/`)
    await shows(page, 'signin-form')
    await page.screenshot({ path: resultPath(`${f.engine.slug}-signin.png`) })
    await page.locator(byTestId('api-key')).fill('ak_0000000000000000_wrong')
    await page.locator(byTestId('sign-in')).click()
    await shows(page, 'signin-error')
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('auditkit.key')),
    ).toBeNull()

    await page.locator(byTestId('api-key')).fill(f.apiKey)
    await page.locator(byTestId('sign-in')).click()
    await shows(page, 'pin-dialog')
    expect((await page.locator(byTestId('served-verifier-key')).textContent())?.trim()).toBe(f.verifierKey)
    await page.screenshot({ path: resultPath(`${f.engine.slug}-pin-dialog.png`) })
    await page.locator(byTestId('pin-served')).click()
    await expect
      .poll(() => page.locator(byTestId('pinned-key')).textContent(), { timeout: UI_TIMEOUT })
      .toContain(f.verifierKey)
    const pins = await page.evaluate(() =>
      JSON.parse((globalThis as unknown as PageGlobals).localStorage.getItem('auditkit.pins') ?? '{}'),
    )
    expect(pins[f.server.url]).toMatchObject({ verifierKey: f.verifierKey })

    const all = await expectView(f, page, {})
    const first = (await f.entries())[0]!
    expect(all[0]).toBe(first.uuid)
    const row = page.locator(`tr[data-testid="row"][data-uuid="${first.uuid}"]`)
    expect(await row.locator('[data-col="action"]').textContent()).toContain(first.action)
    expect(await row.locator('[data-col="ip"]').textContent()).toContain(first.ipAddress ?? '')
    for (const col of ['time', 'action', 'admin', 'target', 'ip', 'agent', 'metadata']) {
      expect(await row.locator(`[data-col="${col}"]`).count(), `the ${col} cell`).toBe(1)
    }
    await expectKeyOnlyInSession(page, f.apiKey)
  })

  test('filter by action: a multi-select from the log actions; rows, count and URL follow', async () => {
    const f = fixture()
    const page = await f.signedIn()
    const options = await page.$$eval(`${byTestId('filter-action')} option`, (o) =>
      o.map((x) => (x as unknown as { value: string }).value),
    )
    expect(options).toEqual(expect.arrayContaining(['user_locked', 'role_assigned', 'user_unlocked']))
    await page.locator(byTestId('filter-action')).selectOption(['user_locked', 'role_assigned'])
    await expectUrlParam(page, 'action', ['user_locked', 'role_assigned'])
    const expected = await expectView(f, page, { actions: ['user_locked', 'role_assigned'] })
    expect(expected.length).toBeGreaterThan(0)
    await page.locator(byTestId('filter-action')).selectOption(['user_unlocked'])
    await expectUrlParam(page, 'action', ['user_unlocked'])
    await expectView(f, page, { actions: ['user_unlocked'] })
  })

  test('filter by user: as target, as admin, or either', async () => {
    const f = fixture()
    const page = await f.signedIn()
    await page.locator(byTestId('filter-user')).fill(USERS.alice)
    await page.locator(byTestId('filter-user')).press('Enter')
    await expectUrlParam(page, 'user', [USERS.alice])
    const either = await expectView(f, page, { user: USERS.alice, role: 'either' })
    await page.locator(byTestId('filter-role')).selectOption('target')
    await expectUrlParam(page, 'role', ['target'])
    const target = await expectView(f, page, { user: USERS.alice, role: 'target' })
    await page.locator(byTestId('filter-role')).selectOption('admin')
    await expectUrlParam(page, 'role', ['admin'])
    const admin = await expectView(f, page, { user: USERS.alice, role: 'admin' })
    // The seed makes the three differ, so that a role ignored would show.
    expect(new Set([either.length, target.length, admin.length]).size).toBe(3)
    await page.locator(byTestId('filter-role')).selectOption('either')
    await expectView(f, page, { user: USERS.alice, role: 'either' })
  })

  test('quick ranges: last hour, 24 h, 7 days, 30 days; clear filters', async () => {
    const f = fixture()
    const page = await f.signedIn()
    const sizes: number[] = []
    for (const [range, ms] of [
      ['1h', HOUR],
      ['24h', DAY],
      ['7d', 7 * DAY],
      ['30d', 30 * DAY],
    ] as const) {
      await page.locator(byTestId(`range-${range}`)).click()
      await expectUrlParam(page, 'range', [range])
      sizes.push((await expectView(f, page, { from: new Date(Date.now() - ms) })).length)
    }
    // Each range holds more than the one before: the seed has entries in every band.
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b))
    expect(new Set(sizes).size).toBe(4)
    expect(sizes[3]).toBeLessThan((await f.entries()).length)
    await page.locator(byTestId('filters-clear')).click()
    await expectUrlParam(page, 'range', undefined)
    await expectView(f, page, {})
  })

  test('custom range: from and to (local time), written to the URL as instants', async () => {
    const f = fixture()
    const page = await f.signedIn()
    const from = new Date(Date.now() - 12 * DAY)
    const to = new Date(Date.now() - DAY)
    await page.locator(byTestId('filter-from')).fill(kolkataLocal(from))
    await page.locator(byTestId('filter-to')).fill(kolkataLocal(to))
    await page.locator(byTestId('filter-to')).press('Enter')
    await expect.poll(() => urlState(page).from?.length, { timeout: UI_TIMEOUT }).toBe(1)
    await expect.poll(() => urlState(page).to?.length, { timeout: UI_TIMEOUT }).toBe(1)
    const state = urlState(page)
    // datetime-local is to the minute: the URL's instants are the same minutes.
    expect(Math.abs(Date.parse(state.from![0]!) - from.getTime())).toBeLessThan(60_000)
    expect(Math.abs(Date.parse(state.to![0]!) - to.getTime())).toBeLessThan(60_000)
    const shown = await expectView(f, page, { from, to })
    expect(shown.length).toBeGreaterThan(0)
  })

  test('clicking an action, a target or an admin in a row filters by it (the user with that role)', async () => {
    const f = fixture()
    const page = await f.signedIn()
    const entry = (await f.entries()).find((e) => e.action === 'role_revoked')!
    const uuids = await rowUuids(page)
    expect(uuids).toContain(entry.uuid)
    const row = () => page.locator(`tr[data-testid="row"][data-uuid="${entry.uuid}"]`)
    await row().locator('[data-col="action"]').click()
    await expectUrlParam(page, 'action', ['role_revoked'])
    await expectView(f, page, { actions: ['role_revoked'] })
    await row().locator('[data-col="target"]').click()
    await expectUrlParam(page, 'user', [entry.targetUserUuid])
    await expectUrlParam(page, 'role', ['target'])
    await expectView(f, page, { actions: ['role_revoked'], user: entry.targetUserUuid, role: 'target' })
    await row().locator('[data-col="admin"]').click()
    await expectUrlParam(page, 'user', [entry.adminUserUuid])
    await expectUrlParam(page, 'role', ['admin'])
    await expectView(f, page, { actions: ['role_revoked'], user: entry.adminUserUuid, role: 'admin' })
  })

  test('the URL holds the view: reload keeps it; back and forward walk it', async () => {
    const f = fixture()
    const page = await f.signedIn()
    await page.locator(byTestId('filter-action')).selectOption(['user_updated', 'user_deleted'])
    await expectUrlParam(page, 'action', ['user_updated', 'user_deleted'])
    const byAction: ViewFilter = { actions: ['user_updated', 'user_deleted'] }
    await expectView(f, page, byAction)
    const first = page.url()
    await page.locator(byTestId('range-7d')).click()
    await expectUrlParam(page, 'range', ['7d'])
    const both: ViewFilter = { ...byAction, from: new Date(Date.now() - 7 * DAY) }
    await expectView(f, page, both)
    const second = page.url()

    await page.reload()
    await page.locator('tr[data-testid="row"]').first().waitFor({ timeout: UI_TIMEOUT })
    expect(page.url()).toBe(second)
    expect(await page.locator(byTestId('signin-form')).count()).toBe(0)
    await expectView(f, page, both)
    const selected = await page.$eval(byTestId('filter-action'), (s) =>
      [...(s as unknown as { selectedOptions: Iterable<{ value: string }> }).selectedOptions].map((o) => o.value),
    )
    expect(selected.sort()).toEqual(['user_deleted', 'user_updated'])

    await page.goBack()
    await expect.poll(() => page.url(), { timeout: UI_TIMEOUT }).toBe(first)
    await expectView(f, page, byAction)
    await page.goForward()
    await expect.poll(() => page.url(), { timeout: UI_TIMEOUT }).toBe(second)
    await expectView(f, page, both)
    await expectKeyOnlyInSession(page, f.apiKey)
  })

  test('paging: the page size, next and previous, the count unchanged', async () => {
    const f = fixture()
    const page = await f.signedIn()
    await page.locator(byTestId('page-size')).selectOption('25')
    await expectUrlParam(page, 'limit', ['25'])
    const all = (await f.entries()).map((e) => e.uuid)
    expect(all.length).toBeGreaterThan(50)
    await expectRows(page, all.slice(0, 25))
    await page.locator(byTestId('next')).click()
    await expectRows(page, all.slice(25, 50))
    expect(urlState(page).cursor).toHaveLength(1)
    await page.locator(byTestId('next')).click()
    await expectRows(page, all.slice(50, 75))
    expect(await shownCount(page)).toBe(all.length)
    await page.locator(byTestId('prev')).click()
    await expectRows(page, all.slice(25, 50))
    await page.locator(byTestId('prev')).click()
    await expectRows(page, all.slice(0, 25))
    await page.locator(byTestId('page-size')).selectOption('50')
    await expectRows(page, all.slice(0, 50))
  })

  test('a bookmarked view opens as it was, once signed in', async () => {
    const f = fixture()
    const { page } = await f.fresh()
    const query = `?action=user_updated&user=${USERS.bob}&role=target&limit=25`
    await page.goto(`${f.server.url}/${query}`)
    await signIn(page, f.server.url, f.apiKey, { how: 'served' })
    expect(new URL(page.url()).search).toContain('action=user_updated')
    const shown = await expectView(f, page, { actions: ['user_updated'], user: USERS.bob, role: 'target' })
    expect(shown.length).toBeGreaterThan(0)
  })
}

/** `at` as a datetime-local value in Asia/Kolkata (UTC+5:30, no daylight saving), the tests' time zone. */
export function kolkataLocal(at: Date): string {
  return new Date(at.getTime() + 5.5 * HOUR).toISOString().slice(0, 16)
}
