import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe } from 'vitest'
import type { AuditLog, Entry } from '../../src/index.js'
import { ensureBuilt } from '../cli/cli-harness.js'
import {
  type BrowserRecord,
  HAS_CHROMIUM,
  launchChromium,
  MUST_RUN,
  newRecord,
  newViewerContext,
  removeDir,
  type SigningKey,
  signingKeyIn,
  startServe,
  tempDir,
  type ViewerDatabase,
  type ViewerEngine,
  type ViewerServer,
} from './viewer-harness.js'
import { byTestId, signIn, UI_TIMEOUT } from './viewer-page.js'
import { allEntries, seedLog } from './viewer-seed.js'

/** What every test of one engine shares: one seeded log, served once, and one browser. */
export interface ViewerFixture {
  readonly engine: ViewerEngine
  /** The test file's own directory (databases, keys). */
  readonly dir: string
  readonly db: ViewerDatabase
  /** The log through the library, in the test process: another process than the server. */
  readonly audit: AuditLog<string>
  readonly key: SigningKey
  /** A `read` API key of the log. */
  readonly apiKey: string
  /** Every API key the file's browsers were given (the history test signs in to rebuilt logs too). */
  readonly apiKeys: string[]
  /** The log's C2SP verifier key, what the viewer pins. */
  readonly verifierKey: string
  /** The entry written after the last seal, which nothing seals. */
  readonly unsealed: Entry<string>
  readonly server: ViewerServer
  readonly browser: Browser
  /** Every request, dialog and page error of every context of the file. */
  readonly record: BrowserRecord
  /** Every origin the file served the viewer from. */
  readonly origins: Set<string>
  /** Every server the file started, the shared one first: their logs are checked for the key. */
  readonly servers: ViewerServer[]
  /** A fresh context (storage of its own) and its page, closed after the test. */
  fresh(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>
  /** A fresh page signed in on the shared server with the served key pinned, rows shown. */
  signedIn(viewport?: { width: number; height: number }): Promise<Page>
  /** Every entry of the log now, newest first. */
  entries(): Promise<Entry<string>[]>
  /** Runs `cleanup` after the file's tests (before the shared server and log go). */
  defer(cleanup: () => Promise<void>): void
}

/**
 * Registers the viewer's browser tests for one engine (issue 11): `cases` receives the fixture,
 * set up once in `beforeAll` (a seeded log, `auditkit serve` on it, Chromium) and torn down after.
 * Without /usr/bin/chromium the suite is skipped, and under CI=true it fails instead.
 */
export function viewerSuite(engine: ViewerEngine, cases: (f: () => ViewerFixture) => void): void {
  const skip = engine.unavailable ?? (HAS_CHROMIUM || MUST_RUN ? undefined : 'no /usr/bin/chromium')
  const title = `web viewer in Chromium: ${engine.name}${skip === undefined ? '' : ` (skipped: ${skip}; with CI=true this fails instead)`}`
  describe.skipIf(skip !== undefined)(title, () => {
    let fixture: ViewerFixture | undefined
    const contexts: BrowserContext[] = []
    const cleanups: (() => Promise<void>)[] = []

    beforeAll(async () => {
      if (!HAS_CHROMIUM) throw new Error('CI=true and /usr/bin/chromium is missing: the viewer tests must run on CI')
      ensureBuilt({ viewer: true })
      const dir = tempDir()
      cleanups.push(async () => removeDir(dir))
      const key = signingKeyIn(dir, 'log')
      const db = engine.create(dir, 'main')
      cleanups.push(() => db.cleanup())
      const audit = await db.open(key.privateKey)
      cleanups.push(() => audit.close({ seal: false }))
      const { unsealed } = await seedLog(audit)
      const apiKey = (await audit.createApiKey({ name: 'viewer-test', scopes: ['read'] })).key
      const server = await startServe({ db, keyFile: key.file })
      cleanups.push(() => server.stop())
      const browser = await launchChromium()
      cleanups.push(() => browser.close())
      const record = newRecord()
      const fresh = async (viewport?: { width: number; height: number }) => {
        const context = await newViewerContext(browser, record, viewport)
        contexts.push(context)
        return { context, page: await context.newPage() }
      }
      fixture = {
        engine,
        dir,
        db,
        audit,
        key,
        apiKey,
        apiKeys: [apiKey],
        verifierKey: audit.verifierKey as string,
        unsealed,
        server,
        browser,
        record,
        origins: new Set([server.url]),
        servers: [server],
        fresh,
        async signedIn(viewport) {
          const { page } = await fresh(viewport)
          await signIn(page, server.url, apiKey, { how: 'served' })
          return page
        },
        entries: () => allEntries(audit),
        defer: (cleanup) => {
          cleanups.push(cleanup)
        },
      }
    }, 180_000)

    afterEach(async () => {
      for (const context of contexts.splice(0)) await context.close()
    })

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
    })

    cases(() => {
      if (fixture === undefined) throw new Error('the viewer fixture was not set up')
      return fixture
    })
  })
}

/** Waits for the element of a test id to show. */
export function shows(page: Page, id: string): Promise<void> {
  return page.locator(byTestId(id)).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT })
}
