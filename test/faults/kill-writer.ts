// A child process for test/faults/writer-kill.test.ts: writes entries through auditkit until the test
// kills it with SIGKILL. Usage: node --import tsx kill-writer.ts '<json KillWriterConfig>'
//
// Prints, one line each, waiting for each line to be handed to the pipe before going on:
// - `ready` once the log answers; then it waits for `go` on stdin before writing anything;
// - `about <op> <target,target,...>` right before an operation is sent: the targetUserUuid of every
//   entry it writes (each target is a fresh UUID, so it names one entry);
// - `ack <op> <uuid,uuid,...>` as soon as the operation resolved: the entries' uuids, in order;
// - `error <op> <name>: <message>` if an operation rejected (then that loop stops).
// An `about` line therefore always precedes anything the operation may commit, and an `ack` line
// follows only a commit.
import { createAuditLog, type DefaultAction, type LogEntryInput } from '../../src/index.js'

export interface KillWriterConfig {
  /** `sqlite:<path>` or a postgres:// URL. */
  readonly database: string
  readonly table: string
  readonly schema?: string
  /** The writer's number, part of every operation's name. */
  readonly id: number
  /** Operations in flight at once. */
  readonly concurrency: number
}

const config = JSON.parse(process.argv[2] ?? '') as KillWriterConfig
const postgres = !config.database.startsWith('sqlite:')

const audit = await createAuditLog({
  database: config.database,
  table: config.table,
  ...(config.schema === undefined ? {} : { schema: config.schema }),
  ...(postgres ? { poolSize: config.concurrency + 1 } : {}),
  // The test migrated the log before starting any writer.
  migrate: false,
  // Background sealing on, as in an application: a kill may land in a sealing batch too.
  sealIntervalMs: 50,
})

function print(line: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()))
}

const admin = crypto.randomUUID()
let ops = 0

/** 40% single entries (createLogEntry), the rest batches of 2 to 50 (createLogEntries). */
async function writeOne(): Promise<void> {
  const op = `${config.id}-${ops++}`
  const size = Math.random() < 0.4 ? 1 : 2 + Math.floor(Math.random() * 49)
  const inputs: LogEntryInput<DefaultAction>[] = Array.from({ length: size }, (_, i) => ({
    targetUserUuid: crypto.randomUUID(),
    adminUserUuid: admin,
    action: 'user_updated',
    metadata: { op, i },
  }))
  await print(`about ${op} ${inputs.map((input) => input.targetUserUuid).join(',')}`)
  try {
    const entries =
      size === 1
        ? [await audit.createLogEntry(inputs[0] as LogEntryInput<DefaultAction>)]
        : await audit.createLogEntries(inputs)
    await print(`ack ${op} ${entries.map((entry) => entry.uuid).join(',')}`)
  } catch (error) {
    const e = error as Error
    await print(`error ${op} ${e.name}: ${e.message.replaceAll('\n', ' ')}`)
    throw error
  }
}

/** Resolves when stdin says `go` (the test starts the next round's writers while it checks this one). */
function go(): Promise<void> {
  process.stdin.setEncoding('utf8')
  let input = ''
  return new Promise((resolve) => {
    process.stdin.on('data', (chunk: string) => {
      input += chunk
      if (input.includes('go\n')) resolve()
    })
  })
}

const started = go()
await audit.ping()
await print('ready')
await started
await Promise.all(
  Array.from({ length: config.concurrency }, async () => {
    for (;;) await writeOne()
  }),
)
