import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The built binary the tests spawn, as `npx auditkit` would run it. */
export const BIN = join(ROOT, 'dist/cli/main.js')
/** The web viewer's page, bundled from viewer/src by `npm run build`. */
export const VIEWER_INDEX = join(ROOT, 'dist/viewer/index.html')

function newest(dir: string): number {
  let latest = 0
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name)
    latest = Math.max(latest, name.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

function builtAt(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}

// The viewer bundles src/verify.ts, so a change in src/ makes it stale too.
function stale(viewer: boolean): boolean {
  const source = newest(join(ROOT, 'src'))
  if (builtAt(BIN) < source) return true
  const viewerSrc = join(ROOT, 'viewer/src')
  return viewer && existsSync(viewerSrc) && builtAt(VIEWER_INDEX) < Math.max(source, newest(viewerSrc))
}

/**
 * Builds dist/ when it is missing or older than src/ (CI builds before testing; a developer who
 * edited src/ gets a fresh binary). With `viewer: true`, dist/viewer/ too (`npm run build`, which
 * bundles viewer/src). A directory lock keeps test files running in parallel from building at once.
 */
export function ensureBuilt(options: { readonly viewer?: boolean } = {}): void {
  const viewer = options.viewer ?? false
  if (!stale(viewer)) return
  const lock = join(ROOT, 'dist/.build-lock')
  mkdirSync(join(ROOT, 'dist'), { recursive: true })
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (i > 600) throw new Error('waited 60 s for another test file to build dist/')
      execFileSync('sleep', ['0.1'])
    }
  }
  try {
    if (stale(viewer)) {
      const [command, ...args] = viewer ? ['npm', 'run', 'build'] : ['npx', 'tsc', '-p', 'tsconfig.build.json']
      execFileSync(command as string, args, { cwd: ROOT, stdio: 'pipe' })
    }
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** What a finished `auditkit` process left. */
export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Options of a spawn: extra environment, text on stdin, a working directory. */
export interface CliRunOptions {
  readonly env?: Record<string, string | undefined>
  readonly input?: string
  readonly cwd?: string
  readonly timeoutMs?: number
}

/** Spawns `node dist/cli/main.js ...args` (stdout and stderr piped, not a terminal) and waits for it. */
export function cli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, AUDITKIT_DATABASE: undefined, ...options.env }
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}

/**
 * Runs the binary under a pseudo-terminal (util-linux `script`), so that stdout and stderr are TTYs
 * as in an operator's shell; returns everything the terminal received (stdout and stderr merged).
 */
export function cliInTerminal(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`
  const command = [process.execPath, BIN, ...args].map(quote).join(' ')
  return new Promise((resolve, reject) => {
    const env = { ...process.env, AUDITKIT_DATABASE: undefined, COLUMNS: '120', ...options.env }
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: options.cwd ?? ROOT, env, stdio: 'pipe' })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: out, stderr: '' })
    })
    child.stdin.end()
  })
}

/** The shell block between `<!-- name -->` and `<!-- /name -->` in README.md, exactly as a newcomer would paste it. */
export function readmeShellBlock(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf(`<!-- ${name} -->`)
  const end = readme.indexOf(`<!-- /${name} -->`)
  if (start < 0 || end < start) throw new Error(`README.md has no ${name} block`)
  const block = readme.slice(start, end)
  return block.slice(block.indexOf('```sh\n') + 6, block.lastIndexOf('```'))
}
