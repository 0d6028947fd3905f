import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import {
  type AuditLog,
  type Entry,
  entryCsvHeader,
  entryCsvLine,
  entryJsonLine,
  generateKeyPair,
  verifierKey,
} from '../../src/index.js'
import { BIN } from '../cli/cli-harness.js'
import { expectKeyOnlyInSession } from './browse-cases.js'
import { resultPath, signingKeyIn, startServe, TABLE, type ViewerServer } from './viewer-harness.js'
import {
  badgeReasons,
  badgeStates,
  byTestId,
  expectUrlParam,
  type PageGlobals,
  settledBadges,
  signIn,
  UI_TIMEOUT,
} from './viewer-page.js'
import { matches, SEEDED, seedInput, type ViewFilter } from './viewer-seed.js'
import { shows, type ViewerFixture } from './viewer-suite.js'

/** The badge each row should show: unsealed until sealed, verified once sealed (nothing was edited). */
function honestStates(entries: readonly Entry<string>[], uuids: readonly string[]): Record<string, string> {
  const byUuid = new Map(entries.map((e) => [e.uuid, e]))
  return Object.fromEntries(uuids.map((u) => [u, byUuid.get(u)?.seq === null ? 'unsealed' : 'verified']))
}

/** Clicks `id` and returns the text of the file the page saved. */
async function download(page: Page, id: string): Promise<string> {
  const [saved] = await Promise.all([
    page.waitForEvent('download', { timeout: UI_TIMEOUT }),
    page.locator(byTestId(id)).click(),
  ])
  const path = await saved.path()
  return readFile(path, 'utf8')
}

/** Opens the detail of the row of `uuid` by clicking its IP cell (the action and user cells filter). */
async function openDetail(page: Page, uuid: string): Promise<void> {
  await page.locator(`tr[data-testid="row"][data-uuid="${uuid}"] [data-col="ip"]`).click()
  await shows(page, 'detail')
}

/**
 * Runs the detail's `auditkit verify-proof` command as a user would paste it, beside the detail's
 * proof saved under the file name the command names (the built binary stands in for `auditkit`).
 */
async function runVerifyCommand(page: Page, dir: string): Promise<{ status: number | null; output: string }> {
  const text = async (id: string) => (await page.locator(byTestId(id)).textContent())?.trim() ?? ''
  const command = await text('detail-verify-command')
  const file = /^auditkit verify-proof (\S+\.proof\.json) /.exec(command)?.[1]
  expect(file, command).toBeDefined()
  writeFileSync(join(dir, file as string), await text('detail-proof'))
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`
  const shell = command.replace(/^auditkit /, `${quote(process.execPath)} ${quote(BIN)} `)
  const run = spawnSync('sh', ['-c', shell], { cwd: dir, encoding: 'utf8', timeout: 20_000 })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

/** A copy of the seeded entries in a new log (new uuids and times: the log is rebuilt, not copied). */
async function rebuild(audit: AuditLog<string>, change: (i: number) => Record<string, unknown> | undefined) {
  const inputs = Array.from({ length: SEEDED }, (_, i) => ({ ...seedInput(i), ...change(i) }))
  await audit.createLogEntries(inputs as Parameters<typeof audit.createLogEntries>[0])
  await audit.seal()
  await audit.checkpoint()
  return (await audit.createApiKey({ name: 'viewer-test', scopes: ['read'] })).key
}

/** Signs in without waiting for rows: on a log the viewer must distrust, there may be none. */
async function signInOnly(page: Page, url: string, apiKey: string): Promise<void> {
  await page.goto(`${url}/`)
  await page.locator(byTestId('api-key')).fill(apiKey)
  await page.locator(byTestId('sign-in')).click()
}

/** Verification in the browser: badges, the detail's proof, tampering, a rewritten history; export and live tail. */
export function trustCases(fixture: () => ViewerFixture): void {
  test('badges: every sealed row turns "verified", the row written with sealing paused "unsealed"; proofs fetched in one batch; the perf marks', async () => {
    const f = fixture()
    const { page } = await f.fresh()
    const proofRequests: string[] = []
    page.on('request', (r) => {
      if (/\/v1\/(log\/proofs|events\/[^/]+\/proof)/.test(r.url())) proofRequests.push(new URL(r.url()).pathname)
    })
    await signIn(page, f.server.url, f.apiKey, { how: 'served' })
    const states = await settledBadges(page)
    // One page of at most 100 rows: one batch request, not a request per row.
    expect(Object.keys(states).length).toBeLessThanOrEqual(100)
    expect(proofRequests).toEqual(['/v1/log/proofs'])
    expect(states[f.unsealed.uuid]).toBe('unsealed')
    expect(states).toEqual(honestStates(await f.entries(), Object.keys(states)))
    expect(Object.values(states).filter((s) => s === 'verified').length).toBeGreaterThan(20)
    const marks = await page.evaluate(() =>
      ['auditkit:rows', 'auditkit:verified'].map((name) => performance.getEntriesByName(name).length),
    )
    expect(marks).toEqual([1, 1])
    await page.screenshot({ path: resultPath(`${f.engine.slug}-table-1280.png`) })
  })

  test('the detail panel: every field, the seq, metadata, the proof, and its verify-proof command, which passes when run; copy buttons; Esc and close', async () => {
    const f = fixture()
    const page = await f.signedIn()
    await settledBadges(page)
    const entry = (await f.entries()).find((e) => e.seq !== null && 'change' in e.metadata)!
    await openDetail(page, entry.uuid)
    const text = async (id: string) => (await page.locator(byTestId(id)).textContent())?.trim() ?? ''
    expect(await text('detail-field-uuid')).toContain(entry.uuid)
    expect(await text('detail-field-action')).toContain(entry.action)
    expect(await text('detail-field-targetUserUuid')).toContain(entry.targetUserUuid)
    expect(await text('detail-field-adminUserUuid')).toContain(entry.adminUserUuid)
    expect(await text('detail-field-ipAddress')).toContain(entry.ipAddress ?? '')
    expect(await text('detail-field-userAgent')).toContain(entry.userAgent ?? '')
    expect(await text('detail-seq')).toMatch(new RegExp(`\\b${entry.seq}\\b`))
    expect(JSON.parse(await text('detail-metadata'))).toEqual(entry.metadata)
    const proof = await text('detail-proof')
    expect(proof).toContain(`auditkit/${TABLE}`) // the checkpoint's origin line
    expect(proof.length).toBeGreaterThan(100)
    const command = await text('detail-verify-command')
    expect(command).toMatch(/auditkit verify-proof/)
    expect(command).toContain(f.verifierKey)
    // Before the copy buttons scroll the panel: the screenshot shows its fields and badge.
    await page.screenshot({ path: resultPath(`${f.engine.slug}-detail.png`) })
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: f.server.url })
    const clipboard = () =>
      page.evaluate(() =>
        (
          globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
        ).navigator.clipboard.readText(),
      )
    await page.locator(byTestId('copy-uuid')).click()
    await expect.poll(clipboard, { timeout: UI_TIMEOUT }).toBe(entry.uuid)
    await page.locator(byTestId('copy-verify-command')).click()
    await expect.poll(clipboard, { timeout: UI_TIMEOUT }).toBe(command)
    // The command and the proof the panel shows are what the CLI checks offline: it agrees.
    const offline = await runVerifyCommand(page, f.dir)
    expect(offline.status, offline.output).toBe(0)
    await page.keyboard.press('Escape')
    await page.locator(byTestId('detail')).waitFor({ state: 'hidden', timeout: UI_TIMEOUT })
    await openDetail(page, entry.uuid)
    await page.locator(byTestId('detail-close')).click()
    await page.locator(byTestId('detail')).waitFor({ state: 'hidden', timeout: UI_TIMEOUT })
  })

  test('export: CSV and JSON Lines of exactly the current filter, read back from the saved files', async () => {
    const f = fixture()
    const page = await f.signedIn()
    await page.locator(byTestId('filter-action')).selectOption(['user_locked', 'role_assigned', 'user_unlocked'])
    await expectUrlParam(page, 'action', ['user_locked', 'role_assigned', 'user_unlocked'])
    await page.locator(byTestId('range-30d')).click()
    await expectUrlParam(page, 'range', ['30d'])
    const filter: ViewFilter = {
      actions: ['user_locked', 'role_assigned', 'user_unlocked'],
      from: new Date(Date.now() - 30 * 24 * 3_600_000),
    }
    const expected = (await f.entries()).filter((e) => matches(e, filter))
    // A filtered export (fewer than the whole log) of more than the rows shown.
    expect(expected.length).toBeGreaterThan(10)
    expect(expected.length).toBeLessThan((await f.entries()).length - 10)

    const csv = await download(page, 'export-csv')
    expect(csv.startsWith(entryCsvHeader())).toBe(true)
    const csvLines = csv
      .slice(entryCsvHeader().length)
      .split('\r\n')
      .filter((l) => l !== '')
    expect(csvLines.sort()).toEqual(expected.map((e) => entryCsvLine(e).slice(0, -2)).sort())

    const jsonl = await download(page, 'export-jsonl')
    const jsonLines = jsonl.split('\n').filter((l) => l !== '')
    expect(jsonLines.sort()).toEqual(expected.map((e) => entryJsonLine(e).slice(0, -1)).sort())
    await expectKeyOnlyInSession(page, f.apiKey)
  })

  test('live tail: an entry written by another process shows up at the top; one outside the filter does not', async () => {
    const f = fixture()
    const page = await f.signedIn()
    await page.locator(byTestId('filter-action')).selectOption(['user_locked'])
    await expectUrlParam(page, 'action', ['user_locked'])
    await page.locator(byTestId('live')).check()
    await shows(page, 'live-status')
    // The server's own writes are not the point: this process writes to the database directly.
    const other = await f.audit.createLogEntry(Object.assign(seedInput(1), { action: 'user_updated' }))
    const entry = await f.audit.createLogEntry(Object.assign(seedInput(2), { action: 'user_locked' }))
    // The stream follows the sealed log; the server seals nothing itself here (--seal-interval 0).
    await f.audit.seal()
    const top = page.locator('tr[data-testid="row"]').first()
    await expect.poll(() => top.getAttribute('data-uuid'), { timeout: UI_TIMEOUT }).toBe(entry.uuid)
    expect(await page.locator(`tr[data-testid="row"][data-uuid="${other.uuid}"]`).count()).toBe(0)
    await page.screenshot({ path: resultPath(`${f.engine.slug}-live.png`) })
  })

  test('live tail: paused while a row is open, the held entry shows once it is closed', async () => {
    const f = fixture()
    const page = await f.signedIn()
    const streaming = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/events/stream')
    await page.locator(byTestId('live')).check()
    await streaming
    const open = (await page.locator('tr[data-testid="row"]').nth(1).getAttribute('data-uuid')) as string
    await openDetail(page, open)
    const entry = await f.audit.createLogEntry(seedInput(3))
    await f.audit.seal()
    // The stream polls the sealed log every 250 ms: well past it, the entry is still held.
    await page.waitForTimeout(1500)
    expect(await page.locator(`tr[data-testid="row"][data-uuid="${entry.uuid}"]`).count()).toBe(0)
    await page.keyboard.press('Escape')
    await page.locator(byTestId('detail')).waitFor({ state: 'hidden', timeout: UI_TIMEOUT })
    const top = page.locator('tr[data-testid="row"]').first()
    await expect.poll(() => top.getAttribute('data-uuid'), { timeout: UI_TIMEOUT }).toBe(entry.uuid)
  })

  test('pinning by pasting: the right key verifies the rows; a wrong key is a key error and verifies none', async () => {
    const f = fixture()
    const right = await f.fresh()
    await signIn(right.page, f.server.url, f.apiKey, { how: 'pasted', verifierKey: f.verifierKey })
    await expect
      .poll(() => right.page.locator(byTestId('pinned-key')).textContent(), { timeout: UI_TIMEOUT })
      .toContain(f.verifierKey)
    const states = await settledBadges(right.page)
    expect(states).toEqual(honestStates(await f.entries(), Object.keys(states)))

    const wrong = await f.fresh()
    const stranger = verifierKey(generateKeyPair().publicKey, f.audit.origin)
    await signInOnly(wrong.page, f.server.url, f.apiKey)
    await shows(wrong.page, 'pin-dialog')
    await wrong.page.locator(byTestId('pin-paste')).fill(stranger)
    await wrong.page.locator(byTestId('pin-pasted')).click()
    await shows(wrong.page, 'key-error')
    expect(Object.values(await badgeStates(wrong.page))).not.toContain('verified')
  })

  test('tampering: an entry edited in the database (triggers disabled) shows "failed" with its reason; the others stay verified', async () => {
    const f = fixture()
    const entries = await f.entries()
    const victim = entries.find((e, i) => i > 2 && e.seq !== null)!
    await f.db.tamper(victim.uuid, JSON.stringify({ ...victim.metadata, reason: 'nothing happened' }))
    try {
      const page = await f.signedIn()
      const states = await settledBadges(page)
      expect(states[victim.uuid]).toBe('failed')
      const reasons = await badgeReasons(page)
      const others = Object.entries(reasons).filter(([uuid]) => uuid !== victim.uuid)
      expect(states, `the tampered row: ${reasons[victim.uuid]}; another: ${others[0]?.[1]}`).toEqual({
        ...honestStates(entries, Object.keys(states)),
        [victim.uuid]: 'failed',
      })
      const badge = page.locator(`tr[data-testid="row"][data-uuid="${victim.uuid}"] [data-testid="badge"]`)
      const reason = (await badge.getAttribute('title')) ?? ''
      expect(reason.length).toBeGreaterThan(0)
      await page.screenshot({ path: resultPath(`${f.engine.slug}-tampered.png`) })
      await openDetail(page, victim.uuid)
      expect(await page.locator(byTestId('detail')).textContent()).toContain(reason)
    } finally {
      await f.db.tamper(victim.uuid, JSON.stringify(victim.metadata))
    }
    expect((await f.audit.verify()).ok).toBe(true)
  })

  test('a lying server: an entry altered in the /v1/events answer fails in the browser (and in verify-proof); the others stay verified', async () => {
    const f = fixture()
    const entries = await f.entries()
    const victim = entries.find((e, i) => i > 3 && e.seq !== null)!
    const { context, page } = await f.fresh()
    // The server's own checks cannot help here: only the browser's recomputation of the leaf can.
    await context.route(
      (url) => url.pathname === '/v1/events',
      async (route) => {
        const response = await route.fetch()
        const body = (await response.json()) as { entries: { uuid: string; ipAddress: string | null }[] }
        for (const e of body.entries) if (e.uuid === victim.uuid) e.ipAddress = '203.0.113.66'
        await route.fulfill({ response, json: body })
      },
    )
    await signIn(page, f.server.url, f.apiKey, { how: 'served' })
    const states = await settledBadges(page)
    expect(states).toEqual({ ...honestStates(entries, Object.keys(states)), [victim.uuid]: 'failed' })
    await openDetail(page, victim.uuid)
    expect(await page.locator(byTestId('detail-field-ipAddress')).textContent()).toContain('203.0.113.66')
    const offline = await runVerifyCommand(page, f.dir)
    expect(offline.status, offline.output).toBe(1)
  })

  test('history: a log rebuilt with a changed past shows the history banner; one re-signed with another key shows the key error', async () => {
    const f = fixture()
    // A server of its own on the same log, so that the shared one keeps its port.
    const serve = async (options: Parameters<typeof startServe>[0]) => {
      const started = await startServe(options)
      f.servers.push(started)
      return started
    }
    let server: ViewerServer = await serve({ db: f.db, keyFile: f.key.file })
    const { port, url } = server
    f.origins.add(url)
    f.defer(() => server.stop())
    const rebuiltSameKey = await f.fresh()
    const resigned = await f.fresh()
    for (const { page } of [rebuiltSameKey, resigned]) {
      await signIn(page, url, f.apiKey, { how: 'served' })
      await settledBadges(page)
      const seen = await page.evaluate(() =>
        JSON.parse((globalThis as unknown as PageGlobals).localStorage.getItem('auditkit.seen') ?? '{}'),
      )
      expect(seen[`${url}|${f.verifierKey}`]).toMatchObject({
        treeSize: expect.any(Number),
        rootHash: expect.any(String),
      })
    }
    await server.stop()

    // The same key, the first entry's metadata changed and the rest written again: the root differs.
    const sameKeyDb = f.engine.create(f.dir, 'rebuilt')
    f.defer(() => sameKeyDb.cleanup())
    const sameKeyLog = await sameKeyDb.open(f.key.privateKey)
    f.defer(() => sameKeyLog.close({ seal: false }))
    const sameKeyApi = await rebuild(sameKeyLog, (i) =>
      i === 0 ? { metadata: { n: 0, reason: 'rewritten' } } : undefined,
    )
    f.apiKeys.push(sameKeyApi)
    await sameKeyLog.createLogEntries([seedInput(100), seedInput(101)])
    await sameKeyLog.seal()
    await sameKeyLog.checkpoint()
    server = await serve({ db: sameKeyDb, keyFile: f.key.file, port })
    const again = await rebuiltSameKey.context.newPage()
    await signInOnly(again, url, sameKeyApi)
    await shows(again, 'history-banner')
    expect(await again.locator(byTestId('history-banner')).textContent()).toMatch(/history/i)
    await again.screenshot({ path: resultPath(`${f.engine.slug}-history-banner.png`) })
    await server.stop()

    const otherKey = signingKeyIn(f.dir, 'other')
    const resignedDb = f.engine.create(f.dir, 'resigned')
    f.defer(() => resignedDb.cleanup())
    const resignedLog = await resignedDb.open(otherKey.privateKey)
    f.defer(() => resignedLog.close({ seal: false }))
    const resignedApi = await rebuild(resignedLog, () => undefined)
    f.apiKeys.push(resignedApi)
    server = await serve({ db: resignedDb, keyFile: otherKey.file, port })
    const later = await resigned.context.newPage()
    await signInOnly(later, url, resignedApi)
    await later
      .locator(`${byTestId('key-error')}, ${byTestId('history-banner')}`)
      .first()
      .waitFor({ timeout: UI_TIMEOUT })
    await later.waitForTimeout(500)
    expect(Object.values(await badgeStates(later))).not.toContain('verified')
    await server.stop()
  }, 90_000)
}
