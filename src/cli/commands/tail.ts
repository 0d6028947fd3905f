import { type Command, Option } from 'commander'
import { entryFilter } from '../../index.js'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import { addFilterOptions, type FilterFlags, nonNegativeInteger, toFilters } from '../filters.js'
import { namingFlags } from '../flag-errors.js'
import { follow } from '../follow.js'
import { formatOption } from '../format-option.js'
import { type CliIo, write } from '../io.js'
import type { Format } from '../output.js'
import { action, type ExitBox } from '../program.js'
import { renderEntries } from '../render-entries.js'
import { stopOnSignals } from '../stop-signal.js'

interface TailFlags extends ConnectionOptions, FilterFlags {
  readonly fromSeq?: number
  readonly interval: number
  readonly format: Format
  readonly once?: boolean
  readonly maxEntries?: number
}

/** `auditkit tail`: prints entries as they are sealed, in seq order, until Ctrl-C. */
export function registerTail(program: Command, io: CliIo, box: ExitBox): void {
  const tail = addFilterOptions(program.command('tail').description('print new entries as they are sealed'))
    .option(
      '--from-seq <n>',
      'start at this seq (default: the sealed size now, i.e. new entries only)',
      nonNegativeInteger,
    )
    .option('--interval <ms>', 'how often to seal and look for new entries', nonNegativeInteger, 1000)
    .addOption(formatOption(['jsonl', 'table'], 'jsonl'))
    .addOption(new Option('--once', 'one pass over what is sealed, then exit').hideHelp())
    .addOption(
      new Option('--max-entries <n>', 'exit after printing n entries').argParser(nonNegativeInteger).hideHelp(),
    )
    .addHelpText(
      'after',
      '\nEntries are read in seq order (the order they were sealed), so none is missed, late commits included.' +
        '\nOn Ctrl-C (or SIGTERM) it prints the seq to resume from with --from-seq, and exits 0.',
    )
  addConnectionOptions(tail).action(
    action(box, async (o: TailFlags) => {
      const filters = toFilters(o)
      const stop = stopOnSignals()
      try {
        const next = await withLog(o, io, (audit) =>
          namingFlags(async () => {
            // iterateLogs checks its filters when called, before reading anything: tail filters in
            // memory and wants the library's verdict (and field names) on them first.
            audit.iterateLogs(filters)
            return follow(
              audit,
              {
                fromSeq: o.fromSeq,
                intervalMs: o.interval,
                once: o.once,
                maxEntries: o.maxEntries,
                signal: stop.signal,
                onStart: (seq) => write(io.stderr, `auditkit: following from seq ${seq}\n`),
              },
              entryFilter(filters, audit.userIdFormat),
              (entries) => write(io.stdout, renderEntries(entries, o.format)),
            )
          }),
        )
        await write(io.stderr, `auditkit: stopped; resume with --from-seq ${next}\n`)
      } finally {
        stop.dispose()
      }
      return undefined
    }),
  )
}
