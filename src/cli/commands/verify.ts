import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { verifyExport } from '../../index.js'
import { readCheckpointFile, readCheckpointNotes } from '../checkpoint-file.js'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import type { CliIo } from '../io.js'
import { collect, readPublicKeys } from '../key-files.js'
import { action, type ExitBox } from '../program.js'
import { type Progress, progress } from '../progress.js'
import { printVerifyResult, verifyFormatOption } from '../verify-report.js'

interface VerifyCommandOptions extends ConnectionOptions {
  readonly checkpoints?: string
  readonly publicKey?: string[]
  readonly from?: string
  readonly format: string
}

interface VerifyExportOptions {
  readonly checkpoint: string
  readonly publicKey: string[]
  readonly format: string
}

const PUBLIC_KEY_HELP = 'a trusted public key: PEM file, file holding a verifier key, or verifier key; repeatable'
/**
 * The export's lines, one at a time (constant memory), reporting the bytes read to `bar` per chunk
 * read. The readline interface goes to verifyExport as it is: wrapping it in a generator of our own
 * added an async step per line, about a sixth of verify-export's time.
 */
function exportLines(file: string, bar: Progress): AsyncIterable<string> {
  const input = createReadStream(file)
  input.on('data', () => bar.update(input.bytesRead))
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
}

/** `auditkit verify` (the log in its database) and `auditkit verify-export` (an export, no database). */
export function registerVerify(program: Command, io: CliIo, box: ExitBox): void {
  addConnectionOptions(
    program
      .command('verify')
      .description('verify the log: every sealed entry against its seal, the tree against every checkpoint')
      .option(
        '--checkpoints <file>',
        'checkpoints kept outside the database (a file of notes, as checkpoint --append writes)',
      )
      .option('--public-key <key>', PUBLIC_KEY_HELP, collect)
      .option(
        '--from <file>',
        "go on from a checkpoint verified before (the file's last note): read only what came after",
      )
      .addOption(verifyFormatOption()),
  )
    .addHelpText('after', '\nExit status: 0 when the log verifies, 1 when problems were found (each is listed).')
    .action(
      action(box, async (o: VerifyCommandOptions) => {
        const checkpoints = o.checkpoints === undefined ? undefined : await readCheckpointFile(o.checkpoints)
        const from = o.from === undefined ? undefined : (await readCheckpointNotes(o.from, '--from')).at(-1)
        const keys = o.publicKey === undefined ? undefined : await readPublicKeys(o.publicKey)
        const bar = progress(io, 'verify')
        let started = false
        const result = await withLog(o, io, async (audit) => {
          try {
            return await audit.verify({
              checkpoints,
              publicKey: keys,
              from,
              onProgress: ({ entries, total }) => {
                if (!started) bar.start(total)
                started = true
                bar.update(entries)
              },
            })
          } finally {
            bar.stop()
          }
        })
        return printVerifyResult(io, result, o.format)
      }),
    )

  program
    .command('verify-export')
    .description('verify an export (auditkit export --sealed, or exportLog()) against signed checkpoints: no database')
    .argument('<log.jsonl>', 'the export, JSON Lines in seq order')
    .requiredOption('--checkpoint <file>', 'signed checkpoints (one note, or several as checkpoint --append writes)')
    .requiredOption('--public-key <key>', PUBLIC_KEY_HELP, collect)
    .addOption(verifyFormatOption())
    .addHelpText(
      'after',
      "\nEach line's entry is hashed again, the tree rebuilt in seq order, and its root compared with every\n" +
        'checkpoint in the file, whose signatures must verify with a --public-key. Exit status: 0 when all\n' +
        'of it verifies, 1 when problems were found (each is listed).',
    )
    .action(
      action(box, async (file: string, o: VerifyExportOptions) => {
        const notes = await readCheckpointNotes(o.checkpoint, '--checkpoint')
        const keys = await readPublicKeys(o.publicKey)
        const { size } = await stat(file)
        const bar = progress(io, 'verify-export (bytes)')
        bar.start(size)
        let result: Awaited<ReturnType<typeof verifyExport>>
        try {
          result = await verifyExport(exportLines(file, bar), notes, keys)
        } finally {
          bar.stop()
        }
        return printVerifyResult(io, result, o.format)
      }),
    )
}
