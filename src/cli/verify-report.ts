import { Option } from 'commander'
import type { VerifyResult } from '../index.js'
import { EXIT } from './exit-codes.js'
import { type CliIo, write } from './io.js'
import { table } from './output.js'

/** `--format table|json` of the verifying commands (commander refuses anything else: exit 2). */
export function verifyFormatOption(): Option {
  return new Option('--format <format>', 'table (for people) or json (the whole result)')
    .choices(['table', 'json'])
    .default('table')
}

/** A verify result for a terminal: a summary, then every problem with its kind, seq, uuid and detail. */
export function verifyReport(result: VerifyResult): string {
  const problems = result.problems.length + result.problemsOmitted
  const summary: string[][] = [
    ['result', result.ok ? 'ok' : `FAILED (${problems} problem${problems === 1 ? '' : 's'})`],
    ['entries', result.fromSeq === 0 ? String(result.entries) : `${result.entries} (from seq ${result.fromSeq})`],
    ['checkpoints checked', String(result.checkpointsChecked)],
    ['tree size', String(result.treeSize)],
    ['root', result.rootHash],
    ['signatures checked', result.signaturesChecked ? 'yes' : 'no (no public key: checkpoints checked for roots only)'],
  ]
  const width = Math.max(...summary.map(([name]) => (name ?? '').length))
  let text = summary.map(([name = '', value]) => `${name.padEnd(width)}  ${value}\n`).join('')
  if (result.checkpointsChecked === 0 && result.problems.length === 0) {
    text += 'warning: no checkpoint was checked: nothing signed vouches for these entries\n'
  }
  if (result.problems.length > 0) {
    const rows = result.problems.map((p) => [p.kind, p.seq === undefined ? '' : String(p.seq), p.uuid ?? '', p.detail])
    text += `\n${table(['kind', 'seq', 'uuid', 'detail'], rows)}`
  }
  if (result.problemsOmitted > 0) text += `... and ${result.problemsOmitted} more problems\n`
  return text
}

/** Prints a verify result in `format` and answers the exit code: 0 when ok, 1 when problems were found. */
export async function printVerifyResult(io: CliIo, result: VerifyResult, format: string): Promise<number> {
  await write(io.stdout, format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : verifyReport(result))
  return result.ok ? EXIT.OK : EXIT.PROBLEMS
}
