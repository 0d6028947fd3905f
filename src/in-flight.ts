/**
 * Counts operations under way, so that `close()` can wait for them. One is shared by a log and
 * every log `using()` made from it.
 */
export class InFlight {
  #count = 0
  #waiters: (() => void)[] = []

  /** Counts one more operation under way. */
  enter(): void {
    this.#count++
  }

  /** Counts one operation done; wakes `idle()` waiters at zero. */
  leave(): void {
    if (--this.#count === 0) for (const wake of this.#waiters.splice(0)) wake()
  }

  /** Resolves when nothing is under way. */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }
}

/** Resolves on a later turn of the event loop: long work in slices lets timers and I/O run between them. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
