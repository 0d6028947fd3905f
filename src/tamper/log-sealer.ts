import { StoreError } from '../errors.js'
import type { Store } from '../store/store.js'

/** What `seal()` did. */
export interface SealResult {
  /** Entries this call sealed (another process may have sealed others meanwhile). */
  readonly sealed: number
  /** The size of the sealed tree afterwards. */
  readonly treeSize: number
}

const BUSY_WAIT_MS = 20
const BUSY_GIVE_UP_MS = 30_000

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs sealing batches for one log: on demand (`sealAll`) and in the background every
 * `intervalMs`. Calls in one process are queued; across processes the store's lock decides.
 */
export class LogSealer {
  #queue: Promise<unknown> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined
  #running: Promise<unknown> = Promise.resolve()
  #stopped = false

  constructor(
    private readonly store: Store,
    private readonly batchSize: number,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Seals batch after batch until a batch finds fewer entries than it could take. With
   * `waitIfBusy`, waits while another sealer holds the log (up to 30 s, then StoreError);
   * without, returns at once.
   */
  sealAll(waitIfBusy = true): Promise<SealResult> {
    const run = this.#queue.then(() => this.#sealAll(waitIfBusy))
    this.#queue = run.catch(() => {})
    return run
  }

  async #sealAll(waitIfBusy: boolean): Promise<SealResult> {
    let sealed = 0
    let waited = 0
    for (;;) {
      const outcome = await this.store.sealBatch(this.batchSize)
      if (outcome.busy) {
        if (!waitIfBusy) return { sealed, treeSize: (await this.store.sealState()).size }
        if (waited >= BUSY_GIVE_UP_MS) {
          throw new StoreError(
            'seal',
            `another sealer or an open transaction kept the log busy for ${BUSY_GIVE_UP_MS} ms`,
          )
        }
        await pause(BUSY_WAIT_MS)
        waited += BUSY_WAIT_MS
        continue
      }
      sealed += outcome.sealed
      if (outcome.sealed < this.batchSize) return { sealed, treeSize: outcome.size }
      // Let the event loop breathe between batches (SQLite's run synchronously).
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /** Starts background sealing (nothing when the interval is 0). */
  start(): void {
    if (this.intervalMs <= 0 || this.#stopped) return
    const tick = () => {
      this.#running = this.sealAll(false)
        .catch((error) => this.onError(error))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.intervalMs).unref()
        })
    }
    this.#timer = setTimeout(tick, this.intervalMs).unref()
  }

  /** Stops background sealing and waits for a batch under way. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
    await this.#queue
  }
}
