import { ValidationError } from '../errors.js'
import { parseExportLine } from '../tlog/export-line.js'
import { type KeySet, toTrustedKeys } from '../tlog/keys.js'
import { encodeHash } from '../tlog/proofs.js'
import { type ExpectedRoot, TreeVerifier, type VerifyProblem, type VerifyResult } from '../tlog/tree-verifier.js'
import { expectedRoot } from './checkpoint-check.js'

async function* linesOf(input: string | Iterable<string> | AsyncIterable<string>): AsyncGenerator<string> {
  if (typeof input === 'string') {
    yield* input.split('\n')
    return
  }
  for await (const chunk of input) {
    if (typeof chunk !== 'string') throw new ValidationError([{ field: 'lines', message: 'must yield strings' }])
    // A chunk may hold several lines (a file read whole) or exactly one (readline).
    yield* chunk.split('\n')
  }
}

function isLines(input: unknown): input is string | Iterable<string> | AsyncIterable<string> {
  if (typeof input === 'string') return true
  const i = input as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null
  return typeof i?.[Symbol.iterator] === 'function' || typeof i?.[Symbol.asyncIterator] === 'function'
}

/**
 * Verifies an exported log with no database, for an auditor: the JSON Lines of `exportLog()` (a
 * string, an array, or any (async) iterable of lines, such as `readline` over a file) against one
 * or more signed checkpoints and the log's public key (or every key it signed with, across rotations). Each line's leaf is recomputed from its
 * fields, the tree is rebuilt in seq order in constant memory, and every checkpoint's root must
 * match when the tree reaches its size. Returns the same result as `audit.verify()`; bad input
 * (not lines, a bad key) throws a ValidationError.
 *
 * @example
 * import { createReadStream } from 'node:fs'
 * import { createInterface } from 'node:readline'
 * const lines = createInterface({ input: createReadStream('audit-export.jsonl') })
 * const result = await verifyExport(lines, fs.readFileSync('checkpoint.txt', 'utf8'), publicKeyPem)
 * if (!result.ok) console.error(result.problems)
 */
export async function verifyExport(
  lines: string | Iterable<string> | AsyncIterable<string>,
  checkpoint: string | readonly string[],
  publicKey: KeySet,
): Promise<VerifyResult> {
  if (!isLines(lines))
    throw new ValidationError([{ field: 'lines', message: 'must be a string or an iterable of lines' }])
  const notes = typeof checkpoint === 'string' ? [checkpoint] : checkpoint
  if (!Array.isArray(notes) || notes.length === 0) {
    throw new ValidationError([
      { field: 'checkpoint', message: 'must be a signed checkpoint note or a non-empty array of them' },
    ])
  }
  if (publicKey === undefined || publicKey === null) {
    throw new ValidationError([{ field: 'publicKey', message: 'is required' }])
  }
  const keys = toTrustedKeys(publicKey)
  const early: VerifyProblem[] = []
  const expected: ExpectedRoot[] = []
  let origin: string | undefined
  for (const [i, note] of notes.entries()) {
    const cp = expectedRoot(note, `checkpoint ${i}`, keys, origin, (p) => early.push(p))
    if (cp === undefined) continue
    origin ??= cp.checkpoint.origin
    expected.push(cp)
  }
  const walk = new TreeVerifier(expected)
  for (const problem of early) walk.report(problem)
  let lineNumber = 0
  for await (const raw of linesOf(lines)) {
    lineNumber++
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') continue
    const parsed = parseExportLine(line)
    if (typeof parsed === 'string') {
      walk.report({ kind: 'bad_line', detail: `line ${lineNumber} ${parsed}` })
      continue
    }
    walk.add(parsed.seq, parsed.uuid, parsed.row, undefined)
  }
  const { problems, omitted, checkpointsChecked } = walk.finish()
  return {
    ok: problems.length === 0 && expected.length > 0,
    entries: walk.entries,
    checkpointsChecked,
    problems,
    problemsOmitted: omitted,
    treeSize: walk.size,
    rootHash: encodeHash(walk.root()),
    signaturesChecked: true,
    fromSeq: 0,
  }
}
