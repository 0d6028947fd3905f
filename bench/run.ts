import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { ArgsError, type BenchArgs, type EngineName, parseBenchArgs, USAGE } from './args.js'
import { renderBacklogMarkdown, renderBacklogText } from './backlog-report.js'
import { type BacklogRun, measureBacklog } from './backlog-suite.js'
import { checkBacklogTarget } from './backlog-targets.js'
import type { EngineBench } from './engine-bench.js'
import { describeMachine, loadAverage } from './machine.js'
import { renderMarkdown, renderText } from './report.js'
import type { EngineRun } from './results.js'
import { runEngine } from './run-engine.js'
import { checkTargets, type TargetCheck } from './targets.js'

async function openBench(engine: EngineName): Promise<EngineBench> {
  if (engine === 'sqlite') return (await import('./sqlite-bench.js')).openSqliteBench()
  return (await import('./postgres-bench.js')).openPostgresBench()
}

let current: EngineBench | undefined
let stopping = false

// Ctrl-C or a kill still removes the database file or schema.
function cleanUpOnSignal(signal: NodeJS.Signals): void {
  process.once(signal, () => {
    stopping = true
    console.error(`bench: ${signal}, cleaning up`)
    const timeout = new Promise((resolve) => setTimeout(resolve, 10_000).unref())
    Promise.race([current?.destroy(), timeout]).finally(() => process.exit(130))
  })
}

function parseOrExit(argv: readonly string[]): BenchArgs {
  try {
    return parseBenchArgs(argv)
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error
    if (error.message !== '') console.error(`bench: ${error.message}`)
    console.error(USAGE)
    process.exit(error.message === '' ? 0 : 1)
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const args = parseOrExit(argv)
  const started = performance.now()
  const log = (line: string) =>
    console.error(`${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s ${line}`)
  cleanUpOnSignal('SIGINT')
  cleanUpOnSignal('SIGTERM')
  const machine = describeMachine(argv)
  if (args.suites.includes('backlog')) return runBacklog(args, machine, started, log)
  const runs: EngineRun[] = []
  for (const engine of args.engines) {
    current = await openBench(engine)
    try {
      runs.push(await runEngine(current, args, log))
    } finally {
      await current.destroy()
      current = undefined
    }
  }
  const checks = new Map<string, TargetCheck[]>(runs.map((r) => [r.engine, checkTargets(r)]))
  machine['Load average at end'] = loadAverage()
  machine.Duration = `${Math.round((performance.now() - started) / 1000)} s in all`
  console.log(renderText(runs, machine, checks))
  if (args.markdown !== undefined) {
    writeFileSync(args.markdown, renderMarkdown(runs, machine, checks))
    log(`wrote ${args.markdown}`)
  }
}

/** The backlog suite: a fresh table per engine, its own report. */
async function runBacklog(
  args: BenchArgs,
  machine: Record<string, string>,
  started: number,
  log: (line: string) => void,
): Promise<void> {
  const runs: BacklogRun[] = []
  for (const engine of args.engines) {
    current = await openBench(engine)
    try {
      runs.push(await measureBacklog(current, args, (l) => log(`[${engine}] backlog: ${l}`)))
    } finally {
      await current.destroy()
      current = undefined
    }
  }
  const checks = new Map<string, TargetCheck[]>(runs.map((r) => [r.engine, [checkBacklogTarget(r)]]))
  machine['Load average at end'] = loadAverage()
  machine.Duration = `${Math.round((performance.now() - started) / 1000)} s in all`
  console.log(renderBacklogText(runs, machine, checks))
  if (args.markdown !== undefined) {
    writeFileSync(args.markdown, renderBacklogMarkdown(runs, machine, checks))
    log(`wrote ${args.markdown}`)
  }
}

main().catch((error: unknown) => {
  // Work under way fails once the cleanup has dropped its table: the signal handler exits.
  if (stopping) return
  console.error('bench: failed:', error)
  process.exit(1)
})
