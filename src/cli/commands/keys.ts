import { unlink, writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { generateKeyPair, verifierKey } from '../../index.js'
import { usageError } from '../exit-codes.js'
import { type CliIo, write } from '../io.js'
import { readPrivateKeyFile, readPublicKeys } from '../key-files.js'
import { action, type ExitBox } from '../program.js'

interface OriginOptions {
  readonly origin?: string
  readonly table?: string
}

/** The origin a log gets when none is configured: `auditkit/<table>`, as createAuditLog names it. */
export function defaultOrigin(o: OriginOptions): string {
  return o.origin ?? `auditkit/${o.table ?? 'auditkit_entries'}`
}

function addOriginOptions(command: Command): Command {
  return command
    .option('--origin <name>', "the log's name in its checkpoints (default auditkit/<table>)")
    .option('--table <name>', 'the entries table, for the default origin (default auditkit_entries)')
}

// 'wx' never overwrites: an existing key may be the only copy of the one a log's checkpoints need.
async function writeNew(file: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(file, text, { mode, flag: 'wx' })
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') throw usageError(`${file} exists: not overwritten`)
    throw error
  }
}

/** A key file's public half: a PEM public key as it is; a private key only from a file others cannot read. */
async function publicKeyOf(file: string): Promise<string> {
  const [key = ''] = await readPublicKeys([file])
  return key.includes('PRIVATE KEY') ? readPrivateKeyFile(file) : key
}

/** `auditkit keygen` (a new Ed25519 pair) and `auditkit vkey` (the verifier key of an existing one). */
export function registerKeys(program: Command, io: CliIo, box: ExitBox): void {
  addOriginOptions(
    program
      .command('keygen')
      .description(
        'write a new Ed25519 key pair, <prefix>.key (mode 0600) and <prefix>.pub, and print its verifier key',
      )
      .requiredOption('--out <prefix>', 'where to write: <prefix>.key and <prefix>.pub (never overwritten)'),
  )
    .addHelpText(
      'after',
      '\nThe verifier key printed (<origin>+<key ID>+<base64>, C2SP signed-note form) is what auditors and\n' +
        'witnesses take; --origin must be the origin of the log that signs with this key.',
    )
    .action(
      action(box, async (o: OriginOptions & { out: string }) => {
        const origin = defaultOrigin(o)
        const pair = generateKeyPair()
        const vkey = verifierKey(pair.publicKey, origin) // checks the origin before anything is written
        const keyFile = `${o.out}.key`
        const pubFile = `${o.out}.pub`
        await writeNew(keyFile, pair.privateKey, 0o600)
        try {
          await writeNew(pubFile, pair.publicKey, 0o644)
        } catch (error) {
          // A private key without its public half, next to someone else's .pub, would only mislead.
          await unlink(keyFile)
          throw error
        }
        await write(io.stdout, `${vkey}\n`)
        await write(io.stderr, `auditkit: wrote ${keyFile} (mode 0600, keep it secret) and ${pubFile}\n`)
        return undefined
      }),
    )

  addOriginOptions(
    program
      .command('vkey')
      .description('print the C2SP verifier key of an existing key')
      .requiredOption('--public-key <file>', 'a PEM public key (a private key file, mode 0600, also works)'),
  ).action(
    action(box, async (o: OriginOptions & { publicKey: string }) => {
      await write(io.stdout, `${verifierKey(await publicKeyOf(o.publicKey), defaultOrigin(o))}\n`)
      return undefined
    }),
  )
}
