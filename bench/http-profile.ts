// Where `auditkit serve` spends its main thread under load: a CPU profile of the server (node
// --cpu-prof) while autocannon runs one route, summed by what each sample was doing. Usage:
//   npm run build && npx tsx bench/http-profile.ts --engine sqlite|postgres [--route post|list|proof] [--rows 10000] [--keep out.cpuprofile]
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '../src/index.js'
import { createPopulation, EntryGenerator } from './data.js'
import type { EngineBench } from './engine-bench.js'
import { fillTable } from './fill.js'
import { type Load, measureLoad } from './http-load.js'
import { logLocation, startServer } from './http-server.js'
import { tamperTarget } from './tamper-open.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

/** What a sample was doing, judged from its innermost frame and, for the API key check, its whole stack. */
function category(stack: readonly ProfileNode[]): string {
  const top = stack[0]?.callFrame
  const url = top?.url ?? ''
  if (stack.some((n) => n.callFrame.url.endsWith('/api-keys.js'))) return 'auth: API key lookup (verifyApiKey)'
  if (top?.functionName === '(idle)') return 'idle'
  if (top?.functionName === '(garbage collector)') return 'garbage collector'
  if (
    top?.functionName === 'writev' ||
    top?.functionName === 'writeBuffer' ||
    top?.functionName === 'writeUtf8String'
  ) {
    return stack.some((n) => n.callFrame.url.includes('node_modules/pg'))
      ? 'socket writes to the database'
      : 'socket writes to the client'
  }
  if (url.includes('/dist/store/sqlite/sqlite-executor.js')) return 'SQLite statements (synchronous, incl. commit)'
  if (url.includes('node_modules/pino')) return 'request log (pino)'
  if (url.includes('node_modules/prom-client') || url.endsWith('/http/metrics.js')) return 'metrics (prom-client)'
  if (url.includes('node_modules/hono') || url.includes('/dist/http/')) return 'hono and auditkit/http'
  if (
    url.includes('@hono/node-server') ||
    url.includes('undici') ||
    url.includes('webstreams') ||
    url.includes('abort_controller') ||
    url.includes('js_transferable')
  ) {
    return '@hono/node-server: web Request/Response per request'
  }
  if (
    url.startsWith('node:_http') ||
    url.includes('node:net') ||
    url.includes('stream_base') ||
    url.includes('node:internal/streams')
  )
    return 'node http and streams'
  if (url.includes('node_modules/pg')) return 'pg driver'
  if (url.includes('/dist/')) return 'auditkit core (validation, hashing, store)'
  return `other: ${url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/') || top?.functionName}`
}

function summarize(file: string, requests: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[]
    samples: number[]
    timeDeltas: number[]
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const time = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const stack: ProfileNode[] = []
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at) as ProfileNode)
    const us = profile.timeDeltas[i] ?? 0
    total += us
    const c = category(stack)
    time.set(c, (time.get(c) ?? 0) + us)
  })
  return [
    `main thread: ${(total / 1000).toFixed(0)} ms sampled over ${requests.toLocaleString('en-US')} requests, ${(total / requests).toFixed(0)} µs per request`,
    ...[...time]
      .sort((a, b) => b[1] - a[1])
      .filter(([, us]) => us >= total / 200) // the rest: under 0.5% each
      .map(
        ([c, us]) =>
          `${(us / requests).toFixed(1).padStart(8)} µs/request ${((100 * us) / total).toFixed(1).padStart(5)}%  ${c}`,
      ),
  ]
}

async function openBench(engine: string): Promise<EngineBench> {
  if (engine === 'sqlite') return (await import('./sqlite-bench.js')).openSqliteBench()
  return (await import('./postgres-bench.js')).openPostgresBench()
}

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'sqlite' },
    route: { type: 'string', default: 'post' },
    rows: { type: 'string', default: '10000' },
    keep: { type: 'string' },
  },
})
const rows = Number(values.rows)
const bench = await openBench(values.engine as string)
const dir = mkdtempSync(join(tmpdir(), 'auditkit-http-profile-'))
try {
  const keys = generateKeyPair()
  const keyFile = join(dir, 'log.key')
  writeFileSync(keyFile, keys.privateKey, { mode: 0o600 })
  const setup = await (await tamperTarget(bench)).open({ sealIntervalMs: 0, signingKey: keys.privateKey })
  const generator = new EntryGenerator(createPopulation(), rows, 6)
  const fill = await fillTable(setup, generator, rows, () => {})
  await setup.seal()
  await setup.checkpoint()
  const key = (await setup.createApiKey({ name: 'profile', scopes: ['read', 'write'] })).key
  await setup.close({ seal: false })
  const server = await startServer(await logLocation(bench), keyFile, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
  const headers = { Authorization: `Bearer ${key}` }
  let next = 0
  const loads: Record<string, Load> = {
    post: {
      connections: 32,
      seconds: 10,
      method: 'POST',
      path: '/v1/events',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify(generator.next()),
    },
    list: { connections: 4, seconds: 10, path: '/v1/events', headers },
    proof: { connections: 4, seconds: 10, path: () => `/v1/events/${fill.sampleUuids[next++ % 1000]}/proof`, headers },
  }
  const load = loads[values.route as string]
  if (load === undefined) throw new Error('--route must be post, list or proof')
  const figure = await measureLoad(server, load)
  await server.stop()
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error('the server wrote no profile')
  console.log(
    `${values.engine}, ${values.route}: ${Math.round(figure.perSecond)} requests/s, server ${figure.serverCores.toFixed(2)} cores, machine ${Math.round(figure.machineBusy * 100)}% busy`,
  )
  // The warm-up's requests are in the profile too.
  if (values.keep !== undefined) copyFileSync(join(dir, file), values.keep)
  for (const line of summarize(join(dir, file), figure.responses + Math.round(figure.perSecond))) console.log(line)
} finally {
  await bench.destroy()
  rmSync(dir, { recursive: true, force: true })
}
