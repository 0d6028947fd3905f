import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { afterAll } from 'vitest'

/** How a child script ended, with everything it printed. */
export interface ChildExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Children still running when a test fails are killed after the file (by their own handle). */
const running = new Set<ChildProcessWithoutNullStreams>()
afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * A TypeScript script run in a child process (`node --import tsx <script> <config as JSON>`): its
 * stdout lines as they come, and how it ended. Killed after the test file if it still runs.
 */
export class ChildScript {
  readonly child: ChildProcessWithoutNullStreams
  readonly exited: Promise<ChildExit>
  #stdout = ''
  #stderr = ''
  #waiters: { line: string; resolve: () => void }[] = []

  constructor(script: string, config: unknown) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    running.add(this.child)
    // A child that died early makes a write to its stdin fail with EPIPE; how it ended is reported instead.
    this.child.stdin.on('error', () => {})
    this.child.stdout.setEncoding('utf8')
    this.child.stderr.setEncoding('utf8')
    this.child.stdout.on('data', (chunk: string) => {
      this.#stdout += chunk
      const lines = this.#stdout.split('\n')
      this.#waiters = this.#waiters.filter((w) => {
        if (!lines.includes(w.line)) return true
        w.resolve()
        return false
      })
    })
    this.child.stderr.on('data', (chunk: string) => {
      this.#stderr += chunk
    })
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject)
      this.child.on('close', (code, signal) => {
        running.delete(this.child)
        resolve({ code, signal, stdout: this.#stdout, stderr: this.#stderr })
      })
    })
  }

  /** Resolves when the child prints this line; rejects if it ends first. */
  waitFor(line: string): Promise<void> {
    const printed = new Promise<void>((resolve) => {
      if (this.#stdout.split('\n').includes(line)) resolve()
      else this.#waiters.push({ line, resolve })
    })
    const ended = this.exited.then((exit) => {
      if (!exit.stdout.split('\n').includes(line)) {
        throw new Error(`the child ended (${exit.code ?? exit.signal}) before printing ${line}:\n${exit.stderr}`)
      }
    })
    return Promise.race([printed, ended])
  }

  /** The JSON of the last line the child printed, once it exits with code 0. */
  async result<T>(): Promise<T> {
    const exit = await this.exited
    if (exit.code !== 0) throw new Error(`the child failed (${exit.code ?? exit.signal}):\n${exit.stderr}`)
    const lines = exit.stdout.trim().split('\n')
    return JSON.parse(lines[lines.length - 1] as string) as T
  }
}
