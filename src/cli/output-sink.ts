import { createWriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { CliError, EXIT } from './exit-codes.js'
import { type CliIo, write } from './io.js'

/** Where a streamed export goes: stdout or a file, written in chunks, with backpressure. */
export interface Sink {
  /**
   * Queues text. Returns a promise only when a chunk was full and is being written (await it: the
   * stream's backpressure); undefined otherwise, so that a caller adding a line per entry does not
   * pay an await per entry.
   */
  add(text: string): Promise<void> | undefined
  /** Flushes what is queued and, for a file, closes it. */
  close(): Promise<void>
}

// Lines are gathered into chunks of about this size: one write per entry costs more than the rest
// of the export, and a bounded chunk keeps memory constant.
const CHUNK = 64 * 1024

function ioError(file: string, error: unknown): CliError {
  return new CliError(EXIT.IO, `cannot write ${file}: ${(error as Error).message}`, { cause: error })
}

async function openFile(file: string): Promise<Writable> {
  const stream = createWriteStream(file, { flags: 'w' })
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (error) => reject(ioError(file, error)))
  })
  return stream
}

/** Opens the output: `file` created or truncated (a failure is exit 3), or stdout when there is none. */
export async function openSink(io: CliIo, file?: string): Promise<Sink> {
  const stream = file === undefined ? io.stdout : await openFile(file)
  const name = file ?? 'stdout'
  // An error between two writes (a full disk, a reader that went away) would otherwise be an
  // unhandled 'error' event: kept, and reported by the next write.
  let failed: unknown
  const keep = (error: unknown) => {
    failed ??= error
  }
  stream.on('error', keep)
  let chunk = ''
  const flush = async () => {
    const text = chunk
    chunk = ''
    try {
      if (failed !== undefined) throw failed
      if (text !== '') await write(stream, text)
    } catch (error) {
      throw ioError(name, error)
    }
  }
  return {
    add(text) {
      chunk += text
      return chunk.length >= CHUNK ? flush() : undefined
    },
    async close() {
      try {
        await flush()
        if (file !== undefined) {
          await new Promise<void>((resolve, reject) => {
            stream.end((error?: Error | null) => (error ? reject(ioError(name, error)) : resolve()))
          })
        }
      } finally {
        stream.off('error', keep)
      }
    },
  }
}
