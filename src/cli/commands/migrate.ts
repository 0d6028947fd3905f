import type { Command } from 'commander'
import { migrationSql } from '../../index.js'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import { usageError } from '../exit-codes.js'
import { type CliIo, write } from '../io.js'
import { action, type ExitBox } from '../program.js'

/** `auditkit migrate` (apply the migrations) and `auditkit sql` (print them). */
export function registerMigrate(program: Command, io: CliIo, box: ExitBox): void {
  addConnectionOptions(program.command('migrate').description("create or upgrade the log's tables"))
    .addHelpText('after', '\nSafe to run from several processes at once; each migration is applied once.')
    .action(
      action(box, async (o: ConnectionOptions) => {
        await withLog(o, io, (audit) => audit.migrate())
        await write(io.stderr, 'auditkit: migrated\n')
        return undefined
      }),
    )

  program
    .command('sql')
    .description("print the log's DDL, for teams that run their own migration tool (then use migrate: false)")
    .option('--engine <engine>', 'sqlite or postgres', 'postgres')
    .option('--table <name>', 'the entries table (default auditkit_entries)')
    .option('--schema <name>', 'PostgreSQL schema (default public)')
    .action(
      action(box, async (o: { engine: string; table?: string; schema?: string }) => {
        if (o.engine !== 'sqlite' && o.engine !== 'postgres') throw usageError('--engine must be sqlite or postgres')
        await write(io.stdout, migrationSql({ engine: o.engine, table: o.table, schema: o.schema }))
        return undefined
      }),
    )
}
