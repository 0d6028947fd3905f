import { StoreError } from '../errors.js'
import { nextTurn } from '../slices.js'
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
/** The background sealer's retry delays after a failure: doubling from the first to the last. */
export const SEAL_RETRY_FIRST_MS = 100
export const SEAL_RETRY_MAX_MS = 5_000

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs sealing batches for one log: on demand (`sealAll`) and in the background every
 * `intervalMs`. Calls in one process are queued; across processes the store's lock decides.
 * A failed background round is reported to `onError` and retried after 100 ms, doubling to 5 s
 * while failures go on; the first success brings the interval back.
 */
export class LogSealer {
  #queue: Promise<unknown> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined
  #running: Promise<unknown> = Promise.resolve()
  #stopped = false
  #failures = 0

  constructor(
    private readonly store: Store,
    private readonly batchSize: number,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Seals until every entry committed before the call is sealed: batch after batch until a sweep
   * that began after the call has ended (a sweep another process left part-way does not count:
   * a late commit behind its cursor would be missed). With `waitIfBusy`, waits while another
   * sealer holds the log (up to 30 s, then StoreError); without, returns at once.
   */
  sealAll(waitIfBusy = true): Promise<SealResult> {
    const run = this.#queue.then(() => this.#sealAll(waitIfBusy))
    this.#queue = run.catch(() => {})
    return run
  }

  async #sealAll(waitIfBusy: boolean): Promise<SealResult> {
    let sealed = 0
    let waited = 0
    let ownSweep = false
    for (;;) {
      const outcome = await this.store.sealBatch(this.batchSize)
      if (outcome.busy) {
        if (!waitIfBusy) return { sealed, treeSize: (await this.store.sealState()).size }
        if (waited >= BUSY_GIVE_UP_MS) {
          throw new StoreError(
            'seal',
            `another sealer or an open transaction kept the log busy for ${BUSY_GIVE_UP_MS} ms`,
            { retryable: true },
          )
        }
        await pause(BUSY_WAIT_MS)
        waited += BUSY_WAIT_MS
        continue
      }
      sealed += outcome.sealed
      if (!outcome.sweepContinued) ownSweep = true
      if (outcome.sweepEnded && ownSweep) return { sealed, treeSize: outcome.size }
      // Let the event loop breathe between batches (SQLite's run synchronously).
      await nextTurn()
    }
  }

  /** Starts background sealing (nothing when the interval is 0). */
  start(): void {
    if (this.intervalMs <= 0 || this.#stopped) return
    this.#schedule(this.intervalMs)
  }

  #schedule(delay: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#running = this.sealAll(false).then(
        () => {
          this.#failures = 0
          this.#schedule(this.intervalMs)
        },
        (error: unknown) => {
          this.#failures++
          this.report(error)
          this.#schedule(Math.min(SEAL_RETRY_MAX_MS, SEAL_RETRY_FIRST_MS * 2 ** (this.#failures - 1)))
        },
      )
    }, delay).unref()
  }

  /** Hands a sealing failure to `onError`; a handler that throws must not stop sealing, nor escape. */
  report(error: unknown): void {
    try {
      this.onError(error)
    } catch {
      // ignored: a throwing onSealError handler is the caller's bug, not a reason to stop sealing
    }
  }

  /** Stops background sealing and waits for a batch under way. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
    await this.#queue
  }
}
