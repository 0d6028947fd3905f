import type { Command } from 'commander'
import type { ApiKeyInfo, ApiKeyScope } from '../../index.js'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import { usageError } from '../exit-codes.js'
import { type CliIo, write } from '../io.js'
import { collect } from '../key-files.js'
import { table } from '../output.js'
import { action, type ExitBox } from '../program.js'

interface CreateOptions extends ConnectionOptions {
  readonly name: string
  readonly scope: string[]
  readonly format: string
}

interface ListOptions extends ConnectionOptions {
  readonly format: string
}

const when = (d: Date | null) => (d === null ? '-' : d.toISOString())

function keyJson(k: ApiKeyInfo): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    scopes: k.scopes,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  }
}

function format(value: string): 'table' | 'json' {
  if (value !== 'table' && value !== 'json') throw usageError('--format must be table or json')
  return value
}

/** `auditkit api-keys create|list|revoke`: the HTTP service's keys, stored hashed in the log's database. */
export function registerApiKeys(program: Command, io: CliIo, box: ExitBox): void {
  const keys = program
    .command('api-keys')
    .description("manage the HTTP service's API keys (stored hashed in the log's database)")

  addConnectionOptions(
    keys
      .command('create')
      .description('create a key and print it: it is shown this once, only its hash is stored')
      .requiredOption('--name <name>', 'who holds it')
      .requiredOption('--scope <scope>', 'read or write; repeatable', collect)
      .option('--format <format>', 'table or json', 'table'),
  ).action(
    action(box, async (o: CreateOptions) => {
      const shape = format(o.format)
      const created = await withLog(o, io, (audit) =>
        audit.createApiKey({ name: o.name, scopes: o.scope as ApiKeyScope[] }),
      )
      if (shape === 'json') {
        await write(io.stdout, `${JSON.stringify({ ...keyJson(created), key: created.key }, null, 2)}\n`)
        return undefined
      }
      await write(io.stdout, `${created.key}\n`)
      await write(
        io.stderr,
        `auditkit: key ${created.id} (${created.scopes.join(', ')}) created; copy it now, it is not shown again\n`,
      )
      return undefined
    }),
  )

  addConnectionOptions(
    keys
      .command('list')
      .description('list the keys: id, name, scopes, created, last used, revoked')
      .option('--format <format>', 'table or json', 'table'),
  ).action(
    action(box, async (o: ListOptions) => {
      const shape = format(o.format)
      const all = await withLog(o, io, (audit) => audit.listApiKeys())
      if (shape === 'json') {
        await write(io.stdout, `${JSON.stringify(all.map(keyJson), null, 2)}\n`)
        return undefined
      }
      const rows = all.map((k) => [
        k.id,
        k.name,
        k.scopes.join(','),
        when(k.createdAt),
        when(k.lastUsedAt),
        when(k.revokedAt),
      ])
      await write(io.stdout, table(['id', 'name', 'scopes', 'created', 'lastUsed', 'revoked'], rows))
      return undefined
    }),
  )

  addConnectionOptions(
    keys
      .command('revoke')
      .description('revoke a key: refused from now on')
      .argument('<id>', 'the key id (as list prints it)'),
  ).action(
    action(box, async (id: string, o: ConnectionOptions) => {
      const revoked = await withLog(o, io, (audit) => audit.revokeApiKey(id))
      await write(io.stdout, `revoked ${revoked.id} (${revoked.name}) at ${when(revoked.revokedAt)}\n`)
      return undefined
    }),
  )
}
