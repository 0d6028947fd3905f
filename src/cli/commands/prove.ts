import { type Command, InvalidArgumentError } from 'commander'
import { type AuditLog, entryJsonObject } from '../../index.js'
import { addConnectionOptions, type ConnectionOptions, withLog } from '../connection.js'
import { type CliIo, write } from '../io.js'
import { readPrivateKeyFile } from '../key-files.js'
import { action, type ExitBox } from '../program.js'
import { registerVerifyProof } from './verify-proof.js'

interface ProveOptions extends ConnectionOptions {
  readonly treeSize?: number
  readonly signingKey?: string
}

function treeSizeArgument(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a whole number')
  }
  return Number(value)
}

/**
 * The tree size to prove against and its signed note: a checkpoint signed now (--signing-key), a
 * stored checkpoint of --tree-size, or by default the newest stored checkpoint that covers the entry.
 */
async function chooseCheckpoint(
  audit: AuditLog<string>,
  o: ProveOptions,
  seq: number | null,
  sign: boolean,
): Promise<{ treeSize?: number; note?: string }> {
  if (sign) {
    const cp = await audit.checkpoint()
    if (o.treeSize === undefined || o.treeSize === cp.treeSize) return { treeSize: cp.treeSize, note: cp.note }
  }
  if (o.treeSize !== undefined) {
    const [stored] = await audit.listCheckpoints({ fromSize: o.treeSize, limit: 1 })
    return { treeSize: o.treeSize, ...(stored?.treeSize === o.treeSize ? { note: stored.note } : {}) }
  }
  const latest = await audit.latestCheckpoint()
  return latest !== null && seq !== null && seq < latest.treeSize
    ? { treeSize: latest.treeSize, note: latest.note }
    : {}
}

/** `auditkit prove` (an entry with its inclusion proof, for `auditkit verify-proof`). */
export function registerProve(program: Command, io: CliIo, box: ExitBox): void {
  addConnectionOptions(
    program
      .command('prove')
      .description('print an entry with its inclusion proof and checkpoint as JSON, for verify-proof')
      .argument('<uuid>', 'the entry')
      .option(
        '--tree-size <n>',
        'prove against the tree of n entries (default: the newest stored checkpoint)',
        treeSizeArgument,
      )
      .option('--signing-key <file>', 'sign a checkpoint of the tree now and include it (PEM, mode 0600)'),
  ).action(
    action(box, async (uuid: string, o: ProveOptions) => {
      const signingKey = o.signingKey === undefined ? undefined : await readPrivateKeyFile(o.signingKey)
      const extra = signingKey === undefined ? {} : { signingKey }
      const out = await withLog(
        o,
        io,
        async (audit) => {
          if (signingKey !== undefined) await audit.seal() // the entry needs a seq to pick its checkpoint
          const entry = await audit.getLog(uuid)
          const { treeSize, note } = await chooseCheckpoint(audit, o, entry.seq, signingKey !== undefined)
          const proof = await audit.proveInclusion(entry.uuid, treeSize)
          return { entry: entryJsonObject(entry), proof, ...(note === undefined ? {} : { checkpoint: note }) }
        },
        extra,
      )
      if (out.checkpoint === undefined) {
        await write(
          io.stderr,
          `auditkit: warning: no stored checkpoint of ${out.proof.treeSize} entries: the proof cannot be checked ` +
            'without one (sign one with auditkit checkpoint, or pass --signing-key)\n',
        )
      }
      await write(io.stdout, `${JSON.stringify(out, null, 2)}\n`)
      return undefined
    }),
  )

  // Its own file, registered here so that it follows prove in --help.
  registerVerifyProof(program, io, box)
}
