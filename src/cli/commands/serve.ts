import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { type Command, InvalidArgumentError } from 'commander'
import { pino } from 'pino'
import { createAuditApp, DEFAULT_MAX_BODY_BYTES } from '../../http.js'
import { type AuditLog, createAuditLog } from '../../index.js'
import { type CheckpointLoop, startCheckpointLoop } from '../checkpoint-loop.js'
import { addConnectionOptions, type ConnectionOptions, logOptions } from '../connection.js'
import { describeError, EXIT, usageError } from '../exit-codes.js'
import { nonNegativeInteger } from '../filters.js'
import { type CliIo, write } from '../io.js'
import { collect, readPrivateKeyFile, signingKeyFile } from '../key-files.js'
import { action, type ExitBox } from '../program.js'
import { stopOnSignals } from '../stop-signal.js'

interface ServeOptions extends ConnectionOptions {
  readonly port: number
  readonly host: string
  readonly signingKey?: string
  readonly sealInterval: number
  readonly maxBody?: number
  /** False with --no-viewer. */
  readonly viewer: boolean
  readonly frameAncestors?: string[]
  readonly checkpointInterval?: number
  readonly checkpointFile?: string
}

const DEFAULT_CHECKPOINT_SECONDS = 60
// setTimeout's longest delay (2^31 - 1 ms).
const MAX_CHECKPOINT_SECONDS = 2_147_483

function portNumber(value: string): number {
  const n = nonNegativeInteger(value)
  if (n > 65_535) throw new InvalidArgumentError('must be a port number, 0 to 65535')
  return n
}

function positiveInteger(value: string): number {
  const n = nonNegativeInteger(value)
  if (n === 0) throw new InvalidArgumentError('must be a positive integer')
  return n
}

// Seconds, to the millisecond: fractions are for tests and demonstrations, minutes for production.
function seconds(value: string): number {
  if (!/^\d+(\.\d{1,3})?$/.test(value)) throw new InvalidArgumentError('must be a number of seconds, such as 60 or 0.5')
  const n = Number(value)
  if (n > MAX_CHECKPOINT_SECONDS) throw new InvalidArgumentError(`must be at most ${MAX_CHECKPOINT_SECONDS} seconds`)
  return n
}

/**
 * How often the server signs a checkpoint, in ms (0: never), refusing checkpoint options given
 * without a signing key: with none, nothing would ever be signed or copied out.
 */
function checkpointIntervalMs(o: ServeOptions, hasKey: boolean): number {
  if (!hasKey) {
    const flag =
      o.checkpointFile !== undefined ? '--checkpoint-file' : o.checkpointInterval ? '--checkpoint-interval' : undefined
    if (flag !== undefined) {
      throw usageError(`${flag} needs a signing key: pass --signing-key <file> or set AUDITKIT_SIGNING_KEY_FILE`)
    }
    return 0
  }
  const ms = Math.round((o.checkpointInterval ?? DEFAULT_CHECKPOINT_SECONDS) * 1000)
  if (ms === 0 && o.checkpointFile !== undefined) {
    throw usageError('--checkpoint-file needs checkpoints: --checkpoint-interval is 0 (off)')
  }
  return ms
}

// Resolves once the server listens, rejects with the listen error (EADDRINUSE, EACCES...).
function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server.address() as AddressInfo)
    })
  })
}

function url({ address, family, port }: AddressInfo): string {
  return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`
}

/** `auditkit serve`: the HTTP service (auditkit/http) on one log, until SIGTERM or Ctrl-C. */
export function registerServe(program: Command, io: CliIo, box: ExitBox): void {
  addConnectionOptions(
    program
      .command('serve')
      .description('run the HTTP API (auditkit/http) until SIGTERM or Ctrl-C')
      .option('--port <n>', 'the TCP port (0: any free port, printed at start)', portNumber, 8080)
      .option('--host <address>', 'the address to listen on', '127.0.0.1')
      .option('--signing-key <file>', 'the Ed25519 private key, PEM, mode 0600 (default: $AUDITKIT_SIGNING_KEY_FILE)')
      .option(
        '--seal-interval <ms>',
        'seal committed entries this often (0: never, another process seals)',
        nonNegativeInteger,
        250,
      )
      .option('--max-body <bytes>', `the largest request body (default ${DEFAULT_MAX_BODY_BYTES})`, positiveInteger)
      .option(
        '--checkpoint-interval <seconds>',
        `sign a checkpoint this often, with a signing key (default ${DEFAULT_CHECKPOINT_SECONDS}; 0: never; fractions such as 0.5 too)`,
        seconds,
      )
      .option('--checkpoint-file <path>', 'append each new checkpoint to this file, if it extends the last one there')
      .option('--no-viewer', 'do not serve the web viewer at /')
      .option(
        '--frame-ancestors <origin>',
        'an origin that may embed the viewer in a frame (default: none may); repeatable',
        collect,
      ),
  )
    .addHelpText(
      'after',
      '\nEverything under /v1 needs an API key (auditkit api-keys create) as Authorization: Bearer <key>.' +
        '\nThe web viewer is at / (sign in with a read key); --no-viewer leaves it out.' +
        '\nOn SIGTERM or Ctrl-C it stops accepting connections, ends the live tails, lets the requests in' +
        '\nflight finish, seals and closes the log, and exits 0; a second signal ends it at once.' +
        '\nWith a signing key it signs a checkpoint every --checkpoint-interval seconds, and one more on the' +
        '\nway out. --checkpoint-file appends each one to a file when the log grew, in the format and with' +
        "\nthe consistency check of checkpoint --append: a checkpoint that does not extend the file's last" +
        "\n(the log was rewritten, or the file is another log's) is never appended, and is reported on" +
        '\nstderr every round. auditkit verify --checkpoints <file> reads the file back.',
    )
    .action(
      action(box, async (o: ServeOptions) => {
        const keyFile = signingKeyFile(o.signingKey, io.env)
        const intervalMs = checkpointIntervalMs(o, keyFile !== undefined)
        const signingKey = keyFile === undefined ? undefined : await readPrivateKeyFile(keyFile)
        const stop = stopOnSignals()
        try {
          const audit = (await createAuditLog(
            logOptions(o, io, {
              sealIntervalMs: o.sealInterval,
              onSealError: (error) =>
                io.stderr.write(`auditkit: background sealing failed: ${describeError(error).line}\n`),
              ...(signingKey === undefined ? {} : { signingKey }),
            }),
          )) as unknown as AuditLog<string>
          await serveUntilStopped(audit, { ...o, intervalMs }, io, stop.signal)
        } finally {
          stop.dispose()
        }
        return EXIT.OK
      }),
    )
}

async function serveUntilStopped(
  audit: AuditLog<string>,
  o: ServeOptions & { readonly intervalMs: number },
  io: CliIo,
  stop: AbortSignal,
): Promise<void> {
  const closing = new AbortController()
  // One JSON line per request on stdout (the messages for people go to stderr).
  const logger = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime }, io.stdout)
  const app = createAuditApp({
    audit,
    signal: closing.signal,
    logger,
    ...(o.maxBody === undefined ? {} : { maxBodyBytes: o.maxBody }),
    viewer: o.viewer && { ...(o.frameAncestors === undefined ? {} : { frameAncestors: o.frameAncestors }) },
  })
  const server = createAdaptorServer({ fetch: app.fetch }) as Server
  let address: AddressInfo
  try {
    address = await listen(server, o.port, o.host)
  } catch (error) {
    await audit.close({ seal: false })
    throw error
  }
  await write(io.stderr, `auditkit: listening on ${url(address)}\n`)
  const checkpoints = await startCheckpoints(audit, o, io)
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }))
  // close() refuses new connections, drops idle keep-alive ones, and calls back once the busy ones are done.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  closing.abort() // the live tails end; nothing else would
  // A keep-alive connection whose request finishes now would otherwise hold close() until it times out.
  const idle = setInterval(() => server.closeIdleConnections(), 50)
  await write(io.stderr, 'auditkit: stopping: finishing the requests in flight\n')
  await closed
  clearInterval(idle)
  await checkpoints?.finish() // the last checkpoint covers every request answered
  await audit.close()
  await write(io.stderr, 'auditkit: stopped\n')
}

async function startCheckpoints(
  audit: AuditLog<string>,
  o: ServeOptions & { readonly intervalMs: number },
  io: CliIo,
): Promise<CheckpointLoop | undefined> {
  if (o.intervalMs === 0) return undefined
  const copy = o.checkpointFile === undefined ? '' : `, appended to ${o.checkpointFile} when the log grew`
  await write(io.stderr, `auditkit: signing a checkpoint every ${o.intervalMs / 1000} s${copy}\n`)
  return startCheckpointLoop({
    audit,
    intervalMs: o.intervalMs,
    file: o.checkpointFile,
    keys: [audit.publicKey ?? ''],
    report: (line) => io.stderr.write(`${line}\n`),
  })
}
