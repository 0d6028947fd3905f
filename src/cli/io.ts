import type { Writable } from 'node:stream'

/** Where a command writes, and what it may know of its terminal: injected so that tests can run commands in-process too. */
export interface CliIo {
  readonly stdout: Writable & { isTTY?: boolean }
  readonly stderr: Writable & { isTTY?: boolean }
  readonly env: NodeJS.ProcessEnv
}

/** Writes to a stream and waits for it to drain when it is full: constant memory however much is written. */
export async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        stream.off('drain', ok)
        stream.off('error', done)
        if (error) reject(error)
        else resolve()
      }
      const ok = () => done()
      stream.once('drain', ok)
      stream.once('error', done)
    })
  }
}
