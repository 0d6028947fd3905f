import type { Command } from 'commander'
import type { Metadata } from '../../index.js'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import { printEntry } from '../entry-view.js'
import { EXIT, usageError } from '../exit-codes.js'
import { namingFlags } from '../flag-errors.js'
import { formatOption } from '../format-option.js'
import { type CliIo, write } from '../io.js'
import type { Format } from '../output.js'
import { action, type ExitBox } from '../program.js'

interface LogFlags extends ConnectionOptions {
  readonly action: string
  readonly target: string
  readonly admin: string
  readonly ip?: string
  readonly userAgent?: string
  readonly metadata?: string
  readonly format: Format
}

function parseMetadata(text: string | undefined): Metadata | undefined {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as Metadata
  } catch (error) {
    throw usageError(`--metadata is not valid JSON: ${(error as Error).message}`)
  }
}

/** `auditkit log` (write one entry and print it) and `auditkit get <uuid>` (print one). */
export function registerLog(program: Command, io: CliIo, box: ExitBox): void {
  const log = program
    .command('log')
    .description('write one entry and print it')
    .requiredOption('--action <action>', "one of the log's actions")
    .requiredOption('--target <user>', 'the user the action was done to')
    .requiredOption('--admin <user>', 'the admin who did it')
    .option('--ip <address>', 'the IPv4 or IPv6 address it came from')
    .option('--user-agent <text>', "the client's user agent")
    .option('--metadata <json>', 'extra context, a JSON object')
    .addOption(formatOption(['table', 'json']))
  addConnectionOptions(log).action(
    action(box, async (o: LogFlags) => {
      const metadata = parseMetadata(o.metadata)
      const entry = await withLog(o, io, (audit) =>
        namingFlags(() =>
          audit.createLogEntry({
            action: o.action,
            targetUserUuid: o.target,
            adminUserUuid: o.admin,
            ipAddress: o.ip,
            userAgent: o.userAgent,
            metadata,
          }),
        ),
      )
      await printEntry(io, entry, o.format)
      return undefined
    }),
  )

  const get = program
    .command('get')
    .description('print the entry with this uuid')
    .argument('<uuid>')
    .addOption(formatOption(['table', 'json']))
    .addHelpText('after', '\nExit code 1 when there is no entry with that uuid (2 when it is not a UUID).')
  addConnectionOptions(get).action(
    action(box, async (uuid: string, o: ConnectionOptions & { format: Format }) => {
      const entry = await withLog(o, io, (audit) => namingFlags(() => audit.findLog(uuid)))
      if (entry === null) {
        await write(io.stderr, `auditkit: no entry with uuid ${uuid}\n`)
        return EXIT.PROBLEMS
      }
      await printEntry(io, entry, o.format)
      return undefined
    }),
  )
}
