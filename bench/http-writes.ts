import { execFile } from 'node:child_process'
import type { Input } from './data.js'
import { type LoadFigure, measureLoad } from './http-load.js'
import { buildCopy, type LogLocation, SEAL_INTERVAL_MS, type ServerChild, startServer } from './http-server.js'
import type { Latency } from './stats.js'

/** Connections of autocannon, and writes in flight of the library: the issue's 32. */
export const WRITE_CONNECTIONS = 32
export const WRITE_SECONDS = 5
/**
 * The rounds, in this order (ABBA twice): drift in the machine's load falls on both alike, and the
 * median of four drops a round that a burst of other work spoilt. Adjacent HTTP rounds share one server.
 */
const ORDER = ['library', 'http', 'http', 'library', 'library', 'http', 'http', 'library'] as const

/** createLogEntry with 32 in flight, in a process of its own. */
export interface LibraryFigure {
  readonly perSecond: number
  readonly latency: Latency
  /** CPU the library's process used, in cores. */
  readonly cores: number
  readonly machineBusy: number
}

/** `POST /v1/events` rounds beside the library's createLogEntry rounds, on the same database. */
export interface WriteComparison {
  readonly http: readonly LoadFigure[]
  readonly library: readonly LibraryFigure[]
}

function runLibrary(log: LogLocation, input: Input): Promise<LibraryFigure> {
  const options = {
    ...log,
    sealIntervalMs: SEAL_INTERVAL_MS,
    inFlight: WRITE_CONNECTIONS,
    seconds: WRITE_SECONDS,
    input,
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [buildCopy().libraryChild, JSON.stringify(options)],
      { encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`bench/http-child.mjs failed: ${stderr || error.message}`))
          return
        }
        const r = JSON.parse(stdout.trim().split('\n').at(-1) as string)
        resolve({
          perSecond: r.entries / r.seconds,
          latency: { ...r.latencies, samples: r.entries },
          cores: r.cores,
          machineBusy: r.machineBusy,
        })
      },
    )
  })
}

/**
 * Alternates the library child and the server under autocannon (see ORDER),
 * never both at once: each has the machine to itself but for the load generator. Both write the
 * same entry, seal every 250 ms and, on PostgreSQL, share the default pool of 10 connections.
 */
export async function compareWrites(
  log: LogLocation,
  keyFile: string,
  writeKey: string,
  input: Input,
  say: (line: string) => void,
): Promise<WriteComparison> {
  const body = JSON.stringify(input)
  const http: LoadFigure[] = []
  const library: LibraryFigure[] = []
  let server: ServerChild | undefined
  try {
    for (const kind of ORDER) {
      if (kind === 'library') {
        await server?.stop()
        server = undefined
        const figure = await runLibrary(log, input)
        library.push(figure)
        say(
          `createLogEntry, ${WRITE_CONNECTIONS} in flight: ${Math.round(figure.perSecond)} entries/s, its process ${figure.cores.toFixed(2)} cores, machine ${Math.round(figure.machineBusy * 100)}% busy`,
        )
        continue
      }
      server ??= await startServer(log, keyFile)
      const figure = await measureLoad(server, {
        connections: WRITE_CONNECTIONS,
        seconds: WRITE_SECONDS,
        method: 'POST',
        path: '/v1/events',
        headers: { Authorization: `Bearer ${writeKey}`, 'Content-Type': 'application/json' },
        body,
      })
      http.push(figure)
      say(
        `POST /v1/events, ${WRITE_CONNECTIONS} connections: ${Math.round(figure.perSecond)} entries/s, server ${figure.serverCores.toFixed(2)} cores, autocannon ${figure.loadCores.toFixed(2)}, machine ${Math.round(figure.machineBusy * 100)}% busy${figure.failures === 0 ? '' : `, ${figure.failures} FAILED`}`,
      )
    }
  } finally {
    await server?.stop()
  }
  return { http, library }
}
