/**
 * Counts operations under way, so that `close()` can wait for them. A log made by `using()` counts
 * in its own and in its root log's (`parent`): the root's close waits for them all.
 */
export class InFlight {
  #count = 0
  #waiters: (() => void)[] = []

  constructor(private readonly parent?: InFlight) {}

  /** Counts one more operation under way (here and in the parent). */
  enter(): void {
    this.#count++
    this.parent?.enter()
  }

  /** Counts one operation done; wakes `idle()` waiters at zero. */
  leave(): void {
    if (--this.#count === 0) for (const wake of this.#waiters.splice(0)) wake()
    this.parent?.leave()
  }

  /** Resolves when nothing is under way. */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }
}
