import { nextTurn } from './slices.js'

const DONE: Promise<IteratorReturnResult<undefined>> = Promise.resolve({ value: undefined, done: true })

/**
 * An async iterator over the items of pages read one after another: `read(last)` reads the page
 * after `last` (undefined for the first), and a page shorter than `pageSize` is the last. Nothing is
 * read before the first `next()`. Between two pages the event loop turns once (a SQLite page is
 * read without I/O). A failed read rejects that `next()` and ends the iteration; `return()` ends
 * it at once. Calls to `next()` made before the last one settled are served in order.
 *
 * What an async generator with `yield*` would do, at a third of its cost an item (0.09 against
 * 0.28 us: the generator settles several promises for each item it hands on).
 *
 * @example
 * const entries = pagedIterator((last) => store.list({ filters, limit: 500, offset: 0, after: last && positionOf(last) }), 500)
 * for await (const entry of entries) console.log(entry.uuid)
 */
export function pagedIterator<T>(
  read: (last: T | undefined) => Promise<readonly T[]>,
  pageSize: number,
): AsyncIterableIterator<T> {
  let rows: readonly T[] = []
  let at = 0
  let state: 'first' | 'more' | 'last' | 'done' = 'first'
  let loading: Promise<void> | undefined

  async function load(): Promise<void> {
    const last = rows[rows.length - 1]
    if (state === 'more') await nextTurn()
    const page = await read(last)
    if (state === 'done') return // returned while the page was read
    rows = page
    at = 0
    state = page.length < pageSize || page.length === 0 ? 'last' : 'more'
  }

  const again = (): Promise<IteratorResult<T>> => iterator.next()
  const iterator: AsyncIterableIterator<T> = {
    next(): Promise<IteratorResult<T>> {
      if (at < rows.length) return Promise.resolve({ value: rows[at++] as T, done: false })
      if (state === 'last' || state === 'done') {
        state = 'done'
        return DONE
      }
      // A call made while a page is read waits for it, and then takes its turn.
      if (loading !== undefined) return loading.then(again, again)
      loading = load().then(
        () => {
          loading = undefined
        },
        (error: unknown) => {
          loading = undefined
          state = 'done'
          rows = []
          throw error
        },
      )
      return loading.then(again)
    },
    return(): Promise<IteratorResult<T>> {
      state = 'done'
      rows = []
      at = 0
      return DONE
    },
    throw(error?: unknown): Promise<IteratorResult<T>> {
      state = 'done'
      rows = []
      at = 0
      return Promise.reject(error)
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return iterator
}
