import { createPublicKey } from 'node:crypto'
import type { Command } from 'commander'
import type { AuditLog, SealResult } from '../../index.js'
import { appendIfExtends } from '../append-check.js'
import { lastCheckpointNote } from '../checkpoint-file.js'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import { EXIT, usageError } from '../exit-codes.js'
import { type CliIo, write } from '../io.js'
import { collect, readPrivateKeyFile, readPublicKeys, signingKeyFile } from '../key-files.js'
import { action, type ExitBox } from '../program.js'
import { progress } from '../progress.js'

interface CheckpointOptions extends ConnectionOptions {
  readonly signingKey?: string
  readonly trustedKey?: string[]
  readonly append?: string
}

const POLL_MS = 200

/**
 * Seals, with a bar on a terminal: seal() reports no progress, so the tree head is polled while it
 * runs, against the entries not yet sealed when it began.
 */
async function sealWithProgress(audit: AuditLog<string>, io: CliIo): Promise<SealResult> {
  if (io.stderr.isTTY !== true) return audit.seal()
  const [{ treeSize: start }, total] = await Promise.all([audit.treeHead(), audit.countLogs()])
  const bar = progress(io, 'seal')
  bar.start(Math.max(0, total - start))
  const timer = setInterval(() => {
    audit.treeHead().then(
      (head) => bar.update(head.treeSize - start),
      () => {}, // the seal itself reports a failure
    )
  }, POLL_MS)
  try {
    const result = await audit.seal()
    bar.update(result.treeSize - start)
    return result
  } finally {
    clearInterval(timer)
    bar.stop()
  }
}

function publicHalf(privateKey: string, file: string): string {
  try {
    return createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }) as string
  } catch (error) {
    throw usageError(`the signing key ${file} is not a PEM private key: ${(error as Error).message}`)
  }
}

/** `auditkit seal` and `auditkit checkpoint` (sign, and copy out with --append). */
export function registerSeal(program: Command, io: CliIo, box: ExitBox): void {
  addConnectionOptions(program.command('seal').description('seal the entries committed so far into the tree')).action(
    action(box, async (o: ConnectionOptions) => {
      const { sealed, treeSize } = await withLog(o, io, (audit) => sealWithProgress(audit, io))
      await write(io.stdout, `sealed ${sealed} entries, tree size ${treeSize}\n`)
      return undefined
    }),
  )

  addConnectionOptions(
    program
      .command('checkpoint')
      .description('seal, sign a checkpoint and print its note; --append copies it to a file after checking it')
      .option('--signing-key <file>', 'the Ed25519 private key, PEM, mode 0600 (default: $AUDITKIT_SIGNING_KEY_FILE)')
      .option('--trusted-key <key>', 'an earlier signing key (rotation): PEM file or verifier key; repeatable', collect)
      .option('--append <file>', 'append the note to this file, if it extends the last note there'),
  )
    .addHelpText(
      'after',
      '\nWith --append, the new checkpoint is appended only if a consistency proof shows that it extends\n' +
        "the file's last checkpoint (signed by the signing key or a --trusted-key, same origin); otherwise\n" +
        'nothing is written and the command exits 1 with the reason. A note identical to the last one is\n' +
        'not appended twice. File format: the notes one after another, each followed by a blank line.',
    )
    .action(
      action(box, async (o: CheckpointOptions) => {
        const keyFile = signingKeyFile(o.signingKey, io.env)
        if (keyFile === undefined) {
          throw usageError('no signing key: pass --signing-key <file> or set AUDITKIT_SIGNING_KEY_FILE')
        }
        const signingKey = await readPrivateKeyFile(keyFile)
        const trustedKeys = await readPublicKeys(o.trustedKey ?? [])
        const keys = [publicHalf(signingKey, keyFile), ...trustedKeys]
        // A missing file is the first run of the cron job: nothing to extend yet.
        const lastNote = o.append === undefined ? undefined : await lastCheckpointNote(o.append)
        const extra = { signingKey, ...(trustedKeys.length > 0 ? { trustedKeys } : {}) }
        return withLog(
          o,
          io,
          async (audit) => {
            const cp = await audit.checkpoint()
            const outcome =
              o.append === undefined ? undefined : await appendIfExtends(audit, o.append, lastNote, cp, keys)
            if (outcome?.kind === 'refused') {
              const { code, detail } = outcome.refusal
              await write(io.stderr, `auditkit: not appended to ${o.append}: ${code}: ${detail}\n`)
              return EXIT.PROBLEMS
            }
            if (outcome?.kind === 'unchanged') {
              await write(io.stderr, `auditkit: ${o.append} ends with this checkpoint already: not appended\n`)
            }
            await write(io.stdout, cp.note)
            return undefined
          },
          extra,
        )
      }),
    )
}
