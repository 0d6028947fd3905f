/**
 * Counts operations under way, so that `close()` can wait for them. One is shared by a log and
 * every log `using()` made from it.
 */
export class InFlight {
  #count = 0
  #waiters: (() => void)[] = []

  /** Runs `fn`, counted while it runs. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.#count++
    try {
      return await fn()
    } finally {
      if (--this.#count === 0) for (const wake of this.#waiters.splice(0)) wake()
    }
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
