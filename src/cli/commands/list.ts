import type { Command } from 'commander'
import { entryJsonObject } from '../../index.js'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import { addFilterOptions, type FilterFlags, nonNegativeInteger, toFilters } from '../filters.js'
import { namingFlags } from '../flag-errors.js'
import { formatOption } from '../format-option.js'
import { type CliIo, write } from '../io.js'
import { FORMATS, type Format } from '../output.js'
import { action, type ExitBox } from '../program.js'
import { renderEntries } from '../render-entries.js'

interface ListFlags extends ConnectionOptions, FilterFlags {
  readonly limit: number
  readonly cursor?: string
  readonly format: Format
}

/** `auditkit list` (one page of matching entries, newest first) and `auditkit count`. */
export function registerList(program: Command, io: CliIo, box: ExitBox): void {
  const list = addFilterOptions(program.command('list').description('list matching entries, newest first'))
    .option('--limit <n>', 'entries per page, 1 to 10000', nonNegativeInteger, 100)
    .option('--cursor <cursor>', 'the next cursor a previous page printed')
    .addOption(formatOption(FORMATS))
    .addHelpText(
      'after',
      '\nWhen there are more entries, the cursor of the next page is printed on stderr as "next cursor: <cursor>"' +
        "\n(with --format json, it is the document's nextCursor instead).",
    )
  addConnectionOptions(list).action(
    action(box, async (o: ListFlags) => {
      const page = await withLog(o, io, (audit) =>
        namingFlags(() => audit.pageLogs({ ...toFilters(o), limit: o.limit, cursor: o.cursor })),
      )
      if (o.format === 'json') {
        const document = { entries: page.entries.map(entryJsonObject), nextCursor: page.nextCursor }
        await write(io.stdout, `${JSON.stringify(document, null, 2)}\n`)
        return undefined
      }
      await write(io.stdout, renderEntries(page.entries, o.format))
      // On stderr, so that the JSON Lines or CSV on stdout stay clean for a script.
      if (page.nextCursor !== null) await write(io.stderr, `next cursor: ${page.nextCursor}\n`)
      return undefined
    }),
  )

  const count = addFilterOptions(program.command('count').description('print how many entries match'))
  addConnectionOptions(count).action(
    action(box, async (o: ConnectionOptions & FilterFlags) => {
      const count = await withLog(o, io, (audit) => namingFlags(() => audit.countLogs(toFilters(o))))
      await write(io.stdout, `${count}\n`)
      return undefined
    }),
  )
}
