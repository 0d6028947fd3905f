import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { ArgsError, type BenchArgs, type EngineName, parseBenchArgs, USAGE } from './args.js'
import { renderBacklogMarkdown, renderBacklogText } from './backlog-report.js'
import { type BacklogRun, measureBacklog } from './backlog-suite.js'
import { checkBacklogTarget } from './backlog-targets.js'
import type { EngineBench } from './engine-bench.js'
import type { HttpRun } from './http-suite.js'
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

/** How one kind of run measures an engine, checks its targets and reports. */
interface Suite<R extends { readonly engine: string }> {
  measure(bench: EngineBench, engine: EngineName): Promise<R>
  check(run: R): TargetCheck[]
  text(runs: readonly R[], machine: Record<string, string>, checks: Map<string, TargetCheck[]>): string
  markdown(runs: readonly R[], machine: Record<string, string>, checks: Map<string, TargetCheck[]>): string
}

/** Measures each engine on a bench of its own (destroyed after, or on Ctrl-C), then prints and writes the report. */
async function runSuite<R extends { readonly engine: string }>(
  suite: Suite<R>,
  args: BenchArgs,
  machine: Record<string, string>,
  started: number,
  log: (line: string) => void,
): Promise<void> {
  const runs: R[] = []
  for (const engine of args.engines) {
    current = await openBench(engine)
    try {
      runs.push(await suite.measure(current, engine))
    } finally {
      await current.destroy()
      current = undefined
    }
  }
  const checks = new Map<string, TargetCheck[]>(runs.map((r) => [r.engine, suite.check(r)]))
  machine['Load average at end'] = loadAverage()
  machine.Duration = `${Math.round((performance.now() - started) / 1000)} s in all`
  console.log(suite.text(runs, machine, checks))
  if (args.markdown !== undefined) {
    writeFileSync(args.markdown, suite.markdown(runs, machine, checks))
    log(`wrote ${args.markdown}`)
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
  if (args.suites.includes('cli')) {
    const { measureCli, renderCli } = await import('./cli-suite.js')
    const runs = []
    for (const engine of args.engines) runs.push(await measureCli(engine, args, (l) => log(`[${engine}] cli: ${l}`)))
    machine['Load average at end'] = loadAverage()
    machine.Duration = `${Math.round((performance.now() - started) / 1000)} s in all`
    const report = renderCli(runs, machine)
    console.log(report)
    if (args.markdown !== undefined) writeFileSync(args.markdown, report)
    return
  }
  if (args.suites.includes('http')) {
    const { measureHttp } = await import('./http-suite.js')
    const { checkHttpTargets } = await import('./http-targets.js')
    const { renderHttpMarkdown, renderHttpText } = await import('./http-report.js')
    const http: Suite<HttpRun> = {
      measure: (bench, engine) => measureHttp(bench, args, (l) => log(`[${engine}] http: ${l}`)),
      check: checkHttpTargets,
      text: renderHttpText,
      markdown: renderHttpMarkdown,
    }
    return runSuite(http, args, machine, started, log)
  }
  if (args.suites.includes('backlog')) {
    const backlog: Suite<BacklogRun> = {
      measure: (bench, engine) => measureBacklog(bench, args, (l) => log(`[${engine}] backlog: ${l}`)),
      check: (run) => [checkBacklogTarget(run)],
      text: renderBacklogText,
      markdown: renderBacklogMarkdown,
    }
    return runSuite(backlog, args, machine, started, log)
  }
  const readsAndWrites: Suite<EngineRun> = {
    measure: (bench) => runEngine(bench, args, log),
    check: checkTargets,
    text: renderText,
    markdown: renderMarkdown,
  }
  return runSuite(readsAndWrites, args, machine, started, log)
}

main().catch((error: unknown) => {
  // Work under way fails once the cleanup has dropped its table: the signal handler exits.
  if (stopping) return
  console.error('bench: failed:', error)
  process.exit(1)
})
