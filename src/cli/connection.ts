import type { Command } from 'commander'
import { type AuditLog, type AuditLogOptions, createAuditLog } from '../index.js'
import { usageError } from './exit-codes.js'
import type { CliIo } from './io.js'

/** The options every command that opens a log takes (see `addConnectionOptions`). */
export interface ConnectionOptions {
  readonly database?: string
  readonly table?: string
  readonly schema?: string
  readonly actions?: string
  readonly userIdFormat?: string
  readonly origin?: string
}

/** Adds --database, --table, --schema, --actions, --user-id-format and --origin to a command. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--database <url>', 'sqlite:<path> or postgres://... (default: $AUDITKIT_DATABASE)')
    .option('--table <name>', 'the entries table (default auditkit_entries)')
    .option('--schema <name>', 'PostgreSQL schema (default public)')
    .option('--actions <list>', 'the allowed actions, comma separated (default: the nine of PhoenixKit)')
    .option('--user-id-format <format>', "user ids: 'uuid' (default) or 'string'")
    .option('--origin <name>', "the log's name in its checkpoints (default auditkit/<table>)")
}

/** The createAuditLog options a command line asks for; the CLI never seals in the background. */
export function logOptions(
  o: ConnectionOptions,
  io: CliIo,
  extra: Partial<AuditLogOptions<readonly string[]>> = {},
): AuditLogOptions<readonly string[]> {
  const database = o.database ?? io.env.AUDITKIT_DATABASE
  if (database === undefined || database === '') {
    throw usageError('no database: pass --database <url> or set AUDITKIT_DATABASE')
  }
  const actions = o.actions
    ?.split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
  return {
    database,
    migrate: false,
    sealIntervalMs: 0,
    ...(o.table === undefined ? {} : { table: o.table }),
    ...(o.schema === undefined ? {} : { schema: o.schema }),
    ...(actions === undefined ? {} : { actions: actions as [string, ...string[]] }),
    ...(o.userIdFormat === undefined ? {} : { userIdFormat: o.userIdFormat as 'uuid' }),
    ...(o.origin === undefined ? {} : { origin: o.origin }),
    ...extra,
  }
}

/** Opens the log, runs `work` with it, and closes it (without sealing) whatever happens. */
export async function withLog<T>(
  o: ConnectionOptions,
  io: CliIo,
  work: (audit: AuditLog<string>) => Promise<T>,
  extra: Partial<AuditLogOptions<readonly string[]>> = {},
): Promise<T> {
  const audit = (await createAuditLog(logOptions(o, io, extra))) as unknown as AuditLog<string>
  try {
    return await work(audit)
  } finally {
    await audit.close({ seal: false })
  }
}
