import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { AuditLog } from '../src/index.js'
import { type EntryGenerator, seededRandom } from './data.js'

/** The batch size of the fill and of the batch measurement. */
export const BATCH = 1000
const SAMPLE_UUIDS = 1000

/** What the fill leaves behind. */
export interface FillResult {
  readonly entriesPerSecond: number
  readonly seconds: number
  /** Uuids of entries spread over the whole table, shuffled: the keys getLog looks up. */
  readonly sampleUuids: readonly string[]
}

/**
 * Writes `rows` entries with createLogEntries in batches of {@link BATCH}, one batch at a time,
 * and reports progress. Entries written at that speed share milliseconds, as real ones do.
 */
export async function fillTable(
  audit: AuditLog,
  generator: EntryGenerator,
  rows: number,
  progress: (done: number, entriesPerSecond: number) => void,
): Promise<FillResult> {
  const every = Math.max(1, Math.floor(rows / SAMPLE_UUIDS))
  const uuids: string[] = []
  const start = performance.now()
  let lastReport = start
  for (let done = 0; done < rows; ) {
    const count = Math.min(BATCH, rows - done)
    const written = await audit.createLogEntries(generator.batch(count))
    for (let i = 0; i < written.length; i++)
      if ((done + i) % every === 0) uuids.push((written[i] as { uuid: string }).uuid)
    done += count
    await nextTurn() // SQLite writes are synchronous: let a Ctrl-C in
    const now = performance.now()
    if (now - lastReport > 5000 || done === rows) {
      lastReport = now
      progress(done, (done * 1000) / (now - start))
    }
  }
  const seconds = (performance.now() - start) / 1000
  const random = seededRandom(3)
  for (let i = uuids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[uuids[i], uuids[j]] = [uuids[j] as string, uuids[i] as string]
  }
  return { entriesPerSecond: rows / seconds, seconds, sampleUuids: uuids }
}
