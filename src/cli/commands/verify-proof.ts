import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { type InclusionProof, verifyEntryInclusion } from '../../index.js'
import { claimedTreeSize, readCheckpointNotes } from '../checkpoint-file.js'
import { EXIT, usageError } from '../exit-codes.js'
import { type CliIo, write } from '../io.js'
import { collect, readPublicKeys } from '../key-files.js'
import { action, type ExitBox } from '../program.js'

interface VerifyProofOptions {
  readonly checkpoint?: string
  readonly publicKey: string[]
  readonly origin?: string
}

/** What `auditkit prove` prints: the entry, its inclusion proof, and the checkpoint of its tree size when one was stored. */
interface ProofFile {
  readonly entry: unknown
  readonly proof: InclusionProof
  readonly checkpoint?: string
}

async function readProofFile(file: string): Promise<ProofFile> {
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    if (error instanceof SyntaxError) throw usageError(`${file} is not JSON: ${error.message}`)
    throw error
  }
  const d = doc as Partial<ProofFile> | null
  if (typeof d !== 'object' || d === null || d.entry === undefined || typeof d.proof !== 'object' || d.proof === null) {
    throw usageError(`${file} is not a proof file: it needs "entry" and "proof" (as auditkit prove prints them)`)
  }
  return d as ProofFile
}

/** `auditkit verify-proof`: an entry's inclusion proof checked offline, against the entry's content. */
export function registerVerifyProof(program: Command, io: CliIo, box: ExitBox): void {
  program
    .command('verify-proof')
    .description("check an entry's inclusion proof (from auditkit prove) offline: no database")
    .argument('<proof.json>', 'the output of auditkit prove')
    .option(
      '--checkpoint <file>',
      "signed checkpoints; the one of the proof's tree size is used (default: the proof file's)",
    )
    .requiredOption(
      '--public-key <key>',
      'a trusted public key: PEM file, verifier key file or string; repeatable',
      collect,
    )
    .option('--origin <name>', "the log's origin (default: the checkpoint's own first line, with a warning)")
    .addHelpText(
      'after',
      "\nThe entry's leaf is hashed again from its fields (an edited entry fails with leaf_mismatch), its\n" +
        "audit path followed to the checkpoint's root, and the checkpoint's signature and origin checked.\n" +
        'Prints ok, or failed: <code>: <detail> (exit 1).',
    )
    .action(
      action(box, async (file: string, o: VerifyProofOptions) => {
        const doc = await readProofFile(file)
        const keys = await readPublicKeys(o.publicKey)
        const notes = o.checkpoint === undefined ? [] : await readCheckpointNotes(o.checkpoint, '--checkpoint')
        if (o.checkpoint === undefined) {
          if (typeof doc.checkpoint !== 'string')
            throw usageError(`no checkpoint: ${file} holds none; pass --checkpoint <file>`)
          notes.push(doc.checkpoint)
          await write(
            io.stderr,
            'auditkit: warning: the checkpoint was taken from the proof file itself; pass --checkpoint with one you keep\n',
          )
        }
        // A file of several notes (as checkpoint --append writes it): the one of the proof's tree size.
        const note = notes.find((n) => claimedTreeSize(n) === doc.proof.treeSize) ?? (notes.at(-1) as string)
        const origin = o.origin ?? note.slice(0, Math.max(0, note.indexOf('\n')))
        if (o.origin === undefined) {
          await write(
            io.stderr,
            `auditkit: warning: origin '${origin}' was taken from the checkpoint itself; pass --origin\n`,
          )
        }
        const result = verifyEntryInclusion(doc.entry, doc.proof, note, keys, { origin })
        if (!result.ok) {
          await write(io.stdout, `failed: ${result.code}: ${result.detail}\n`)
          return EXIT.PROBLEMS
        }
        const { treeSize } = result.checkpoint
        await write(
          io.stdout,
          `ok: leaf ${doc.proof.leafIndex} is in the tree of ${treeSize} entries signed by ${result.signedBy.join(', ')}\n`,
        )
        return EXIT.OK
      }),
    )
}
