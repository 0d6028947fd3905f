import { execFile } from 'node:child_process'
import { get } from 'node:http'
import { performance } from 'node:perf_hooks'
import { buildCopy, type LogLocation, type ServerChild } from './http-server.js'

/** How often the server's RSS is read while the export runs. */
export const RSS_SAMPLE_MS = 100

/** `GET /v1/events/export` of the whole log, as a client that reads it as fast as it comes. */
export interface ExportFigure {
  readonly entries: number
  readonly megabytes: number
  readonly seconds: number
  readonly perSecond: number
  /** The server's RSS just before the request, its highest while the body streamed, and just after. */
  readonly rss: { readonly startMb: number; readonly peakMb: number; readonly endMb: number; readonly samples: number }
  readonly serverCores: number
}

/** Streams the JSON Lines export, counting lines, while sampling the server's RSS every {@link RSS_SAMPLE_MS}. */
export async function measureExport(server: ServerChild, headers: Record<string, string>): Promise<ExportFigure> {
  const startMb = server.rssMb()
  let peakMb = startMb
  let samples = 0
  const sampler = setInterval(() => {
    peakMb = Math.max(peakMb, server.rssMb())
    samples++
  }, RSS_SAMPLE_MS)
  const cpu = server.cpuSeconds()
  const start = performance.now()
  let lines = 0
  let bytes = 0
  try {
    await new Promise<void>((resolve, reject) => {
      get(`${server.url}/v1/events/export?format=jsonl`, { headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume()
          reject(new Error(`GET /v1/events/export: ${res.statusCode}`))
          return
        }
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
        })
        res.on('end', resolve)
        res.on('error', reject)
      }).on('error', reject)
    })
  } finally {
    clearInterval(sampler)
  }
  const seconds = (performance.now() - start) / 1000
  const serverCores = (server.cpuSeconds() - cpu) / seconds
  const endMb = server.rssMb()
  return {
    entries: lines,
    megabytes: bytes / 2 ** 20,
    seconds,
    perSecond: lines / seconds,
    rss: { startMb, peakMb: Math.max(peakMb, endMb), endMb, samples },
    serverCores,
  }
}

/** The library's own export in a process of its own: the floor under the HTTP export's rate. */
export interface LibraryExportFigure {
  readonly entries: number
  readonly seconds: number
  readonly perSecond: number
}

/**
 * Times bench/cli-child.mjs (the CLI suite's library side: iterateLogs writing each entry as a
 * JSON line) exporting the whole log to /dev/null, process start included, as the CLI suite times it.
 */
export function measureLibraryExport(log: LogLocation): Promise<LibraryExportFigure> {
  const args = [buildCopy().exportChild, 'export', 'jsonl', log.database, log.table, log.schema ?? '-', '/dev/null']
  const start = performance.now()
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`bench/cli-child.mjs export failed: ${stderr || error.message}`))
        return
      }
      const seconds = (performance.now() - start) / 1000
      const entries = Number(stdout.trim().split('\n').at(-1))
      resolve({ entries, seconds, perSecond: entries / seconds })
    })
  })
}
