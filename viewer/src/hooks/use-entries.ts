// One page of entries for the view (filters, page size, cursor), newest first as /v1/events lists them.
import { useCallback, useEffect, useState } from 'preact/hooks'
import { apiJson } from '../lib/api.js'
import type { EventsPage, WireEntry } from '../lib/types.js'
import { apiFilters, type ViewState } from '../lib/url-state.js'

export interface EntriesState {
  readonly entries: readonly WireEntry[]
  readonly nextCursor: string | null
  readonly loading: boolean
  readonly error: string | null
  /** Live entries, newest first, put above the page (those already shown are skipped, or replaced once sealed). */
  prepend(entries: readonly WireEntry[]): void
}

export function useEntries(apiKey: string, view: ViewState): EntriesState {
  const [page, setPage] = useState<EventsPage>({ entries: [], nextCursor: null })
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const key = JSON.stringify([apiFilters(view, 0), view.range, view.limit, view.cursor])

  useEffect(() => {
    const abort = new AbortController()
    setLoading(true)
    setError(null)
    apiJson<EventsPage>(
      apiKey,
      '/events',
      { ...apiFilters(view), limit: view.limit, cursor: view.cursor || undefined },
      abort.signal,
    )
      .then((next) => {
        setPage(next)
        setLoading(false)
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return
        setPage({ entries: [], nextCursor: null })
        setError(e instanceof Error ? e.message : String(e))
        setLoading(false)
      })
    return () => abort.abort()
  }, [apiKey, key])

  const prepend = useCallback((fresh: readonly WireEntry[]) => {
    setPage((current) => {
      const byUuid = new Map(fresh.map((e) => [e.uuid, e]))
      const shown = new Set(current.entries.map((e) => e.uuid))
      const added = fresh.filter((e) => !shown.has(e.uuid))
      // A row shown unsealed that arrives sealed is replaced, so that its badge is checked.
      const sealedNow = current.entries.some((e) => e.seq === null && byUuid.get(e.uuid)?.seq != null)
      if (added.length === 0 && !sealedNow) return current
      const kept = current.entries.map((e) => (e.seq === null ? (byUuid.get(e.uuid) ?? e) : e))
      return { ...current, entries: [...added, ...kept] }
    })
  }, [])

  return { entries: page.entries, nextCursor: page.nextCursor, loading, error, prepend }
}
