/**
 * Where seal() and verify() spend their time: fills a fresh table with unsealed entries, then runs
 * seal() and verify() each under the V8 CPU profiler, writes the .cpuprofile files (open them in
 * Chrome DevTools or speedscope) and prints the functions and files with the most self time.
 *
 *   npx tsx bench/tamper-profile.ts [--engine sqlite|postgres] [--rows 200000] [--out /tmp]
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { createPopulation, EntryGenerator } from './data.js'
import type { EngineBench } from './engine-bench.js'
import { fillTable } from './fill.js'
import { tamperTarget } from './tamper-open.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

function short(url: string): string {
  if (url === '') return '(native/V8)'
  return url.replace(/^file:\/\/\/work\/main\//, '').replace(/^file:\/\//, '')
}

/** Self time by function and by file, largest first. */
function summarize(profile: Profile, top: number): string {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const total = [...self.values()].reduce((s, v) => s + v, 0)
  const byFunction = new Map<string, number>()
  const byFile = new Map<string, number>()
  for (const [id, us] of self) {
    const f = (byNode.get(id) as ProfileNode).callFrame
    const name = `${f.functionName || '(anonymous)'} ${short(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + us)
    byFile.set(short(f.url), (byFile.get(short(f.url)) ?? 0) + us)
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`,
      )
  return [
    `total sampled ${(total / 1000).toFixed(0)} ms`,
    'self time by function:',
    ...list(byFunction),
    'self time by file:',
    ...list(byFile),
  ].join('\n')
}

async function profiled<T>(
  session: Session,
  name: string,
  out: string,
  fn: () => Promise<T>,
): Promise<{ result: T; ms: number }> {
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
  const start = performance.now()
  const result = await fn()
  const ms = performance.now() - start
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile }
  const file = join(out, `tamper-${name}.cpuprofile`)
  writeFileSync(file, JSON.stringify(profile))
  console.log(`\n== ${name}: ${ms.toFixed(0)} ms (profile in ${file}) ==`)
  console.log(summarize(profile, 25))
  return { result, ms }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { engine: { type: 'string' }, rows: { type: 'string' }, out: { type: 'string' } },
  })
  const engine = values.engine ?? 'sqlite'
  const rows = Number((values.rows ?? '200000').replace(/[_,]/g, ''))
  const out = values.out ?? '/tmp'
  const bench: EngineBench =
    engine === 'sqlite'
      ? await (await import('./sqlite-bench.js')).openSqliteBench()
      : await (await import('./postgres-bench.js')).openPostgresBench()
  try {
    const t = await tamperTarget(bench)
    const audit = await t.open({ sealIntervalMs: 0 })
    try {
      const generator = new EntryGenerator(createPopulation(), rows, 5)
      // A warm-up backlog, so that the profile shows steady state rather than compilation.
      await fillTable(audit, generator, 5000, () => {})
      await audit.seal()
      await fillTable(audit, generator, rows, () => {})
      await bench.analyze()
      const session = new Session()
      session.connect()
      await session.post('Profiler.enable')
      const seal = await profiled(session, `seal-${engine}`, out, () => audit.seal())
      console.log(`sealed ${seal.result.sealed}: ${Math.round((seal.result.sealed * 1000) / seal.ms)} entries/s`)
      await audit.verify() // warm-up
      const verify = await profiled(session, `verify-${engine}`, out, () => audit.verify())
      console.log(
        `verified ${verify.result.entries}: ${Math.round((verify.result.entries * 1000) / verify.ms)} entries/s`,
      )
      session.disconnect()
    } finally {
      await audit.close()
    }
  } finally {
    await bench.destroy()
  }
}

main().catch((error: unknown) => {
  console.error('tamper-profile: failed:', error)
  process.exit(1)
})
