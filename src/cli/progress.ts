import { SingleBar } from 'cli-progress'
import type { CliIo } from './io.js'

/** A progress report for long work: a bar with count, rate and ETA on a terminal, nothing otherwise. */
export interface Progress {
  /** Sets the total once known (0 when unknown). */
  start(total: number): void
  update(done: number): void
  stop(): void
}

const SILENT: Progress = { start() {}, update() {}, stop() {} }

/**
 * A bar on stderr when stderr is a terminal (never when piped or redirected, so scripts and files
 * get clean output), labelled `what`.
 */
export function progress(io: CliIo, what: string): Progress {
  if (io.stderr.isTTY !== true) return SILENT
  const bar = new SingleBar({
    stream: io.stderr,
    format: `${what} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
    fps: 5,
  })
  let started = 0
  let running = false
  return {
    start(total) {
      started = Date.now()
      running = true
      bar.start(total, 0, { rate: 0 })
    },
    update(done) {
      if (!running) return
      const seconds = (Date.now() - started) / 1000
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds) : 0 })
    },
    stop() {
      if (running) bar.stop()
      running = false
    },
  }
}
