import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'

/** The version of an installed package, read from its package.json. */
export function packageVersion(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** The machine and the command, to print beside the figures. */
export function describeMachine(argv: readonly string[]): Record<string, string> {
  const cpu = cpus()
  return {
    Date: new Date().toISOString(),
    Command: ['npm run bench --', ...argv].join(' '),
    auditkit: sourceVersion(),
    Node: process.version,
    CPU: `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown'}`,
    Memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    Platform: `${process.platform} ${process.arch}`,
    'Load average at start': loadAverage(),
  }
}

/** The 1, 5 and 15 minute load averages: anything else running skews the figures. */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')
}

/** The commit the library source comes from, and whether src/ has changes not yet committed. */
function sourceVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
    const dirty = git('status', '--porcelain', '--', 'src') !== ''
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in src/' : ''}`
  } catch {
    return 'unknown (not a git checkout)'
  }
}
