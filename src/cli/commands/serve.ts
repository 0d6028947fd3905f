import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { type Command, InvalidArgumentError } from 'commander'
import { pino } from 'pino'
import { createAuditApp, DEFAULT_MAX_BODY_BYTES } from '../../http.js'
import { type AuditLog, createAuditLog } from '../../index.js'
import { addConnectionOptions, type ConnectionOptions, logOptions } from '../connection.js'
import { describeError, EXIT } from '../exit-codes.js'
import { nonNegativeInteger } from '../filters.js'
import { type CliIo, write } from '../io.js'
import { readPrivateKeyFile } from '../key-files.js'
import { action, type ExitBox } from '../program.js'
import { stopOnSignals } from '../stop-signal.js'

interface ServeOptions extends ConnectionOptions {
  readonly port: number
  readonly host: string
  readonly signingKey?: string
  readonly sealInterval: number
  readonly maxBody?: number
}

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
      .option('--max-body <bytes>', `the largest request body (default ${DEFAULT_MAX_BODY_BYTES})`, positiveInteger),
  )
    .addHelpText(
      'after',
      '\nEverything under /v1 needs an API key (auditkit api-keys create) as Authorization: Bearer <key>.' +
        '\nOn SIGTERM or Ctrl-C it stops accepting connections, ends the live tails, lets the requests in' +
        '\nflight finish, seals and closes the log, and exits 0; a second signal ends it at once.',
    )
    .action(
      action(box, async (o: ServeOptions) => {
        const keyFile = o.signingKey ?? io.env.AUDITKIT_SIGNING_KEY_FILE
        const signingKey = keyFile === undefined || keyFile === '' ? undefined : await readPrivateKeyFile(keyFile)
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
          await serveUntilStopped(audit, o, io, stop.signal)
        } finally {
          stop.dispose()
        }
        return EXIT.OK
      }),
    )
}

async function serveUntilStopped(
  audit: AuditLog<string>,
  o: ServeOptions,
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
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }))
  // close() refuses new connections, drops idle keep-alive ones, and calls back once the busy ones are done.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  closing.abort() // the live tails end; nothing else would
  // A keep-alive connection whose request finishes now would otherwise hold close() until it times out.
  const idle = setInterval(() => server.closeIdleConnections(), 50)
  await write(io.stderr, 'auditkit: stopping: finishing the requests in flight\n')
  await closed
  clearInterval(idle)
  await audit.close()
  await write(io.stderr, 'auditkit: stopped\n')
}
