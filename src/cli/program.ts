import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { registerCommands } from './commands/index.js'
import { describeError, EXIT } from './exit-codes.js'
import type { CliIo } from './io.js'

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** What a command's action hands back: its exit code (0 when it returns nothing). */
export type ActionResult = number | undefined

/** Holds the exit code an action chose, for `run` to return. */
export interface ExitBox {
  code: number
}

/**
 * Wraps a command's action: whatever it returns becomes the exit code; anything it throws is
 * reported by `run`.
 */
export function action<A extends unknown[]>(
  box: ExitBox,
  fn: (...args: A) => Promise<ActionResult>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    box.code = (await fn(...args)) ?? EXIT.OK
  }
}

/** The `auditkit` program, its commands registered, writing to `io`. */
export function buildProgram(io: CliIo, box: ExitBox): Command {
  const program = new Command('auditkit')
    .description('Operate, query, export and verify an auditkit audit log.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces on errors')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`auditkit: ${s.replace(/^error: /, '')}`),
    })
  registerCommands(program, io, box)
  return program
}

/**
 * Runs the command line `argv` (as process.argv: node, script, then arguments) and resolves to the
 * exit code: 0 ok, 1 verification found problems, 2 usage or validation error, 3 database or I/O.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const box: ExitBox = { code: EXIT.OK }
  const program = buildProgram(io, box)
  try {
    await program.parseAsync([...argv])
    return box.code
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE
    const { exitCode, line } = describeError(error)
    io.stderr.write(`auditkit: ${line}\n`)
    if (program.opts().debug === true && error instanceof Error) io.stderr.write(`${error.stack}\n`)
    return exitCode
  }
}
