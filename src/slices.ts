/** Items of synchronous work (checking an entry, hashing a row, writing a row) between two turns of the event loop. */
export const SLICE = 500

/** Resolves on a later turn of the event loop: timers and I/O run first. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Calls `fn(i)` for each `i` from 0 to `count - 1`, letting the event loop turn after every
 * {@link SLICE} calls: long synchronous work in slices of a few milliseconds, so that the host's
 * timers and I/O are never held up for long. With `count <= SLICE` it runs without a turn.
 *
 * @example
 * await inSlices(rows.length, (i) => leaves.push(leafOf(rows[i])))
 */
export async function inSlices(count: number, fn: (i: number) => void): Promise<void> {
  for (let start = 0; start < count; start += SLICE) {
    if (start > 0) await nextTurn()
    const end = Math.min(count, start + SLICE)
    for (let i = start; i < end; i++) fn(i)
  }
}
