import type { Command } from 'commander'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import { usageError } from '../exit-codes.js'
import { exportEntries, exportSealed } from '../export-streams.js'
import { addFilterOptions, type FilterFlags, nonNegativeInteger, toFilters } from '../filters.js'
import { namingFlags } from '../flag-errors.js'
import { formatOption } from '../format-option.js'
import type { CliIo } from '../io.js'
import { action, type ExitBox } from '../program.js'

interface ExportFlags extends ConnectionOptions, FilterFlags {
  readonly format: 'jsonl' | 'csv'
  readonly output?: string
  readonly sealed?: boolean
  readonly fromSeq?: number
  readonly toSeq?: number
}

const FILTERS = ['action', 'target', 'admin', 'user', 'from', 'to'] as const

// --sealed writes the verifiable export, which is the tree's entries in seq order and nothing
// else: a filter or CSV would make a file verify-export cannot check, so they are refused.
function checkCombination(o: ExportFlags): void {
  if (o.sealed === true) {
    const filter = FILTERS.find((f) => o[f] !== undefined)
    if (filter !== undefined)
      throw usageError(`--${filter} cannot be used with --sealed (it exports every sealed entry)`)
    if (o.format !== 'jsonl') throw usageError('--sealed writes JSON Lines only: drop --format')
  } else if (o.fromSeq !== undefined || o.toSeq !== undefined) {
    throw usageError('--from-seq and --to-seq select sealed entries: use them with --sealed')
  }
}

/** `auditkit export`: every matching entry as JSON Lines or CSV, or (`--sealed`) the verifiable export. */
export function registerExport(program: Command, io: CliIo, box: ExitBox): void {
  const exporting = addFilterOptions(program.command('export').description('write every matching entry'))
    .addOption(formatOption(['jsonl', 'csv'], 'jsonl'))
    .option('-o, --output <file>', 'write to this file (created or truncated) instead of stdout')
    .option('--sealed', 'write the verifiable export: sealed entries in seq order, for verify-export')
    .option('--from-seq <n>', 'with --sealed: start at this seq', nonNegativeInteger)
    .option('--to-seq <n>', 'with --sealed: stop before this seq (default: the sealed size)', nonNegativeInteger)
    .addHelpText(
      'after',
      '\nStreams in constant memory. CSV follows RFC 4180 with a header row and metadata as a JSON column;' +
        "\ncells starting with = + - @ are prefixed with ' so that a spreadsheet never runs them." +
        '\n--sealed exports only sealed entries: run `auditkit seal` (or checkpoint) first to include the newest.',
    )
  addConnectionOptions(exporting).action(
    action(box, async (o: ExportFlags) => {
      checkCombination(o)
      const target = { io, file: o.output }
      await withLog(o, io, (audit) =>
        namingFlags(() =>
          o.sealed === true
            ? exportSealed(audit, { fromSeq: o.fromSeq, toSeq: o.toSeq }, target)
            : exportEntries(audit, toFilters(o), o.format, target),
        ),
      )
      return undefined
    }),
  )
}
