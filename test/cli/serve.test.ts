import { request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { AuditLog } from '../../src/index.js'
import { type CliDatabase, cliEngines, startCli } from './cli-engines.js'
import { cli, ensureBuilt } from './cli-harness.js'

beforeAll(() => ensureBuilt(), 120_000)

const user = () => crypto.randomUUID()
const entryBody = () => JSON.stringify({ action: 'user_deleted', targetUserUuid: user(), adminUserUuid: user() })

async function refused(url: string): Promise<string | undefined> {
  try {
    await fetch(`${url}/healthz`)
    return undefined
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code
  }
}

for (const engine of await cliEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(
    `auditkit serve: ${engine.name}${engine.unavailable ? ` (skipped: ${engine.unavailable})` : ''}`,
    () => {
      let db: CliDatabase
      let audit: AuditLog<string>
      let key: string
      beforeAll(async () => {
        db = await engine.setup()
        expect((await cli(['migrate', ...db.args])).code).toBe(0)
        audit = await db.open()
        key = (await audit.createApiKey({ name: 'serve-test', scopes: ['read', 'write'] })).key
      })
      afterAll(async () => {
        await audit.close({ seal: false })
        await db.cleanup()
      })

      test('serves the API on the log: health, a write with a key, the list; SIGTERM exits 0 and closes the port', async () => {
        const server = startCli(['serve', '--port', '0', ...db.args])
        const url = (await server.stderrMatch(/auditkit: listening on (http:\/\/127\.0\.0\.1:\d+)\n/))[1] as string
        const auth = { Authorization: `Bearer ${key}` }
        expect((await fetch(`${url}/healthz`)).status).toBe(200)
        expect((await fetch(`${url}/v1/events`)).status).toBe(401)
        const created = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: entryBody(),
        })
        expect(created.status).toBe(201)
        const { uuid } = (await created.json()) as { uuid: string }
        const listed = await fetch(`${url}/v1/events?limit=10`, { headers: auth })
        expect(listed.status).toBe(200)
        expect(((await listed.json()) as { entries: { uuid: string }[] }).entries.map((e) => e.uuid)).toContain(uuid)
        server.child.kill('SIGTERM')
        const done = await server.done
        expect(done.code, done.stderr).toBe(0)
        expect(done.stderr).toMatch(/auditkit: stopped\n$/)
        expect(await refused(url)).toBe('ECONNREFUSED')
        // The server sealed in the background, and sealed the rest on its way out.
        expect((await audit.treeHead()).treeSize).toBe(await audit.countLogs())
      })

      test.skipIf(engine.name !== 'SQLite file')(
        `a request in flight when SIGTERM arrives still completes; new connections are refused meanwhile${engine.name === 'SQLite file' ? '' : ' (SQLite only: shutdown does not depend on the engine)'}`,
        async () => {
          const server = startCli(['serve', '--port', '0', '--seal-interval', '0', ...db.args])
          const url = (await server.stderrMatch(/listening on (http:\/\/\S+)\n/))[1] as string
          const body = entryBody()
          const half = Math.floor(body.length / 2)
          // Headers and half the body now, the rest after the signal: the request is surely in flight.
          const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = request(`${url}/v1/events`, {
              method: 'POST',
              headers: {
                Authorization: `Bearer ${key}`,
                'Content-Type': 'application/json',
                'Content-Length': body.length,
              },
            })
            req.on('error', reject)
            req.on('response', (res) => {
              let text = ''
              res.setEncoding('utf8').on('data', (d: string) => {
                text += d
              })
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
            })
            req.write(body.slice(0, half))
            server.stderrMatch(/stopping/).then(async () => {
              expect(await refused(url)).toBe('ECONNREFUSED')
              req.end(body.slice(half))
            }, reject)
          })
          await sleep(300)
          server.child.kill('SIGTERM')
          const res = await response
          expect(res.status, res.body).toBe(201)
          const done = await server.done
          expect(done.code, done.stderr).toBe(0)
          expect(await audit.getLog((JSON.parse(res.body) as { uuid: string }).uuid)).toMatchObject({
            action: 'user_deleted',
          })
        },
      )

      test.skipIf(engine.name !== 'SQLite file')(
        `a slow read in flight (10,000 entries) completes after SIGTERM${engine.name === 'SQLite file' ? '' : ' (SQLite only: shutdown does not depend on the engine)'}`,
        async () => {
          const batch = Array.from({ length: 1000 }, () => ({
            action: 'user_deleted',
            targetUserUuid: user(),
            adminUserUuid: user(),
          }))
          for (let i = 0; i < 12; i++) await audit.createLogEntries(batch.map((e) => ({ ...e })))
          const server = startCli(['serve', '--port', '0', ...db.args])
          const url = (await server.stderrMatch(/listening on (http:\/\/\S+)\n/))[1] as string
          const page = fetch(`${url}/v1/events?limit=10000`, { headers: { Authorization: `Bearer ${key}` } })
          await sleep(20)
          server.child.kill('SIGTERM')
          const res = await page
          expect(res.status).toBe(200)
          expect(((await res.json()) as { entries: unknown[] }).entries).toHaveLength(10_000)
          expect((await server.done).code).toBe(0)
          expect(await refused(url)).toBe('ECONNREFUSED')
        },
      )

      test('bad options: exit 2 with the reason; a taken port: exit 3', async () => {
        const port = await cli(['serve', '--port', '70000', ...db.args])
        expect(port.code).toBe(2)
        expect(port.stderr).toMatch(/--port.*must be a port number/)
        const first = startCli(['serve', '--port', '0', ...db.args])
        const taken = (await first.stderrMatch(/listening on http:\/\/127\.0\.0\.1:(\d+)\n/))[1] as string
        const second = await cli(['serve', '--port', taken, ...db.args])
        expect(second.code).toBe(3)
        expect(second.stderr).toMatch(/EADDRINUSE/)
        first.child.kill('SIGINT')
        expect((await first.done).code).toBe(0)
      })
    },
  )
}
