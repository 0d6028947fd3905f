// A child process for test/faults/sqlite-faults.test.ts, run as an unprivileged user when the tests
// run as root (root writes through file permissions). Opens `sqlite:<path>` with auditkit, then
// tries a single write and a batch, and prints one JSON line (a ProbeReport).
// Usage: node --import tsx readonly-probe.ts <path>
import { accessSync, constants } from 'node:fs'
import { dirname } from 'node:path'
import { inspect } from 'node:util'
import { type AuditLog, createAuditLog, StoreError } from '../../src/index.js'

/** A rejection, as the test needs to see it. */
export interface ProbeError {
  readonly step: 'createAuditLog' | 'createLogEntry' | 'createLogEntries' | 'countLogs' | 'close'
  readonly storeError: boolean
  readonly name: string
  readonly message: string
  readonly driverCode: string | undefined
  readonly retryable: boolean | undefined
  readonly operation: string | undefined
}

export interface ProbeReport {
  readonly uid: number
  /** Whether this process may write the file and its directory (false is what the test set up). */
  readonly fileWritable: boolean
  readonly dirWritable: boolean
  /** Every step that rejected, in order; a step after a failed createAuditLog is not tried. */
  readonly errors: ProbeError[]
  /** Entries the log counted, when it could (after the failed writes). */
  readonly count: number | null
  /** Uncaught exceptions and unhandled rejections. */
  readonly stray: string[]
}

const path = process.argv[2] ?? ''
const stray: string[] = []
process.on('uncaughtException', (error) => stray.push(inspect(error)))
process.on('unhandledRejection', (error) => stray.push(inspect(error)))

function writable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK)
    return true
  } catch {
    return false
  }
}

const errors: ProbeError[] = []
async function attempt<T>(step: ProbeError['step'], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn()
  } catch (error) {
    const e = error as Partial<StoreError>
    errors.push({
      step,
      storeError: error instanceof StoreError,
      name: String(e.name),
      message: String(e.message),
      driverCode: e.driverCode,
      retryable: e.retryable,
      operation: e.operation,
    })
    return undefined
  }
}

const input = () => ({
  targetUserUuid: crypto.randomUUID(),
  adminUserUuid: crypto.randomUUID(),
  action: 'user_updated' as const,
})
const fileWritable = writable(path)
const dirWritable = writable(dirname(path))
let count: number | null = null
const log: AuditLog | undefined = await attempt('createAuditLog', () =>
  createAuditLog({ database: `sqlite:${path}`, sealIntervalMs: 0 }),
)
if (log !== undefined) {
  await attempt('createLogEntry', () => log.createLogEntry(input()))
  await attempt('createLogEntries', () => log.createLogEntries([input(), input(), input()]))
  count = (await attempt('countLogs', () => log.countLogs())) ?? null
  await attempt('close', () => log.close())
}
// Let a stray rejection surface before reporting.
await new Promise((resolve) => setTimeout(resolve, 20))
const report: ProbeReport = { uid: process.getuid?.() ?? -1, fileWritable, dirWritable, errors, count, stray }
process.stdout.write(`${JSON.stringify(report)}\n`)
