import type { Page } from 'playwright-core'
import { expect } from 'vitest'

/** How long the page may take to show what a test waits for. */
export const UI_TIMEOUT = 15_000

export const byTestId = (id: string) => `[data-testid="${id}"]`

/** The secret part of an API key `ak_<24 hex>_<43 base64url>` (which may itself hold `_`). */
export function keySecret(apiKey: string): string {
  const secret = /^ak_[0-9a-f]{24}_([A-Za-z0-9_-]{43})$/.exec(apiKey)?.[1]
  if (secret === undefined) throw new Error('not an auditkit API key')
  return secret
}

interface StorageLike {
  getItem(key: string): string | null
}
interface ElementLike {
  getAttribute(name: string): string | null
  matches(selector: string): boolean
  readonly scrollWidth: number
}
/**
 * What the functions run in the page use of its globals: the project's tsconfig has no DOM lib (the
 * library is for Node.js), so a page function casts `globalThis` to this.
 */
export interface PageGlobals {
  readonly location: { readonly href: string }
  readonly localStorage: StorageLike
  readonly sessionStorage: StorageLike
  readonly innerWidth: number
  readonly document: {
    readonly cookie: string
    readonly activeElement: ElementLike | null
    readonly documentElement: ElementLike
    readonly body: ElementLike
    querySelectorAll(selector: string): ArrayLike<ElementLike> & Iterable<ElementLike>
  }
}

/**
 * Signs in on `url` with `apiKey`. `pin: 'served'` pins the key the log serves from the pin
 * dialog (after checking it shows `verifierKey`); `'pasted'` pastes `verifierKey` instead;
 * `'none'` expects no dialog (a key is pinned for this origin already). Resolves once rows show.
 */
export async function signIn(
  page: Page,
  url: string,
  apiKey: string,
  pin: { readonly how: 'served' | 'pasted' | 'none'; readonly verifierKey?: string },
): Promise<void> {
  if (!page.url().startsWith(`${url}/`)) await page.goto(`${url}/`)
  await page.locator(byTestId('api-key')).fill(apiKey)
  await page.locator(byTestId('sign-in')).click()
  if (pin.how !== 'none') {
    const dialog = page.locator(byTestId('pin-dialog'))
    await dialog.waitFor({ timeout: UI_TIMEOUT })
    if (pin.how === 'served') {
      if (pin.verifierKey !== undefined) {
        expect((await dialog.locator(byTestId('served-verifier-key')).textContent())?.trim()).toBe(pin.verifierKey)
      }
      await dialog.locator(byTestId('pin-served')).click()
    } else {
      await dialog.locator(byTestId('pin-paste')).fill(pin.verifierKey ?? '')
      await dialog.locator(byTestId('pin-pasted')).click()
    }
  }
  await page
    .locator(`${byTestId('entries')} tr[data-testid="row"]`)
    .first()
    .waitFor({ timeout: UI_TIMEOUT })
}

/** The uuids of the rows shown, top to bottom. */
export function rowUuids(page: Page): Promise<string[]> {
  return page.$$eval('tr[data-testid="row"]', (rows) => rows.map((r) => r.getAttribute('data-uuid') ?? ''))
}

/** Waits until the rows shown are exactly `uuids`, in that order. */
export async function expectRows(page: Page, uuids: readonly string[]): Promise<void> {
  await expect.poll(() => rowUuids(page), { timeout: UI_TIMEOUT }).toEqual(uuids)
}

/** Every row's badge state by uuid, once no badge is `pending` any more. */
export async function settledBadges(page: Page): Promise<Record<string, string>> {
  await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as PageGlobals
      const badges = [...document.querySelectorAll('tr[data-testid="row"] [data-testid="badge"]')]
      return badges.length > 0 && badges.every((b) => b.getAttribute('data-state') !== 'pending')
    },
    undefined,
    { timeout: UI_TIMEOUT },
  )
  return badgeStates(page)
}

/** Every row's badge state (and reason) by uuid, as it is now. */
export function badgeStates(page: Page): Promise<Record<string, string>> {
  return page.$$eval('tr[data-testid="row"]', (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        r.getAttribute('data-uuid') ?? '',
        r.querySelector('[data-testid="badge"]')?.getAttribute('data-state') ?? 'none',
      ]),
    ),
  )
}

/** Every row's badge reason (its `title`) by uuid. */
export function badgeReasons(page: Page): Promise<Record<string, string>> {
  return page.$$eval('tr[data-testid="row"]', (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        r.getAttribute('data-uuid') ?? '',
        r.querySelector('[data-testid="badge"]')?.getAttribute('title') ?? '',
      ]),
    ),
  )
}

/** The total match count the page shows (`data-count`), once it is there. */
export async function shownCount(page: Page): Promise<number> {
  const count = page.locator(byTestId('count'))
  await count.waitFor({ timeout: UI_TIMEOUT })
  return Number(await count.getAttribute('data-count'))
}

/** The query string of the page's URL as name -> every value. */
export function urlState(page: Page): Record<string, string[]> {
  const params = new URL(page.url()).searchParams
  const state: Record<string, string[]> = {}
  for (const [name, value] of params) state[name] = [...(state[name] ?? []), value]
  return state
}

/** Waits for the URL's query string to hold `name` with `values`, in any order (undefined: the parameter is gone). */
export async function expectUrlParam(page: Page, name: string, values: readonly string[] | undefined): Promise<void> {
  // A repeated parameter is a set: the page may write it in the select's order.
  await expect.poll(() => urlState(page)[name]?.sort(), { timeout: UI_TIMEOUT }).toEqual(values && [...values].sort())
}

/** Whether the page's body scrolls sideways (wider than the window). */
export function overflowsSideways(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => {
    const { document, innerWidth } = globalThis as unknown as PageGlobals
    return { scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), innerWidth }
  })
}
