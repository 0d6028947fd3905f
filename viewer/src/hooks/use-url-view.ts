// The view lives in the URL: pushState on every change, popstate for back/forward, so a reload
// restores it. The stack of cursors behind the current page (for "previous") rides in
// history.state, which survives a reload too.
import { useCallback, useEffect, useState } from 'preact/hooks'
import { formatView, parseView, type ViewState } from '../lib/url-state.js'

interface HistoryState {
  readonly cursors?: readonly string[]
}

function stackOf(state: unknown): readonly string[] {
  const cursors = (state as HistoryState | null)?.cursors
  return Array.isArray(cursors) ? cursors.filter((c): c is string => typeof c === 'string') : []
}

/** The current view, the cursors of the pages before it, and how to move. */
export interface UrlView {
  readonly view: ViewState
  readonly cursors: readonly string[]
  /** A new view (filters changed: back to the first page). */
  setView(next: ViewState): void
  nextPage(cursor: string): void
  prevPage(): void
}

export function useUrlView(): UrlView {
  const [view, setViewState] = useState(() => parseView(location.search))
  const [cursors, setCursors] = useState(() => stackOf(history.state))

  useEffect(() => {
    const onPop = (event: PopStateEvent) => {
      setViewState(parseView(location.search))
      setCursors(stackOf(event.state))
    }
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])

  const go = useCallback((next: ViewState, stack: readonly string[]) => {
    const url = `${location.pathname}${formatView(next)}`
    if (url !== `${location.pathname}${location.search}`) history.pushState({ cursors: stack }, '', url)
    else history.replaceState({ cursors: stack }, '', url)
    setViewState(next)
    setCursors(stack)
  }, [])

  return {
    view,
    cursors,
    setView: (next) => go(next, next.cursor === '' ? [] : cursors),
    nextPage: (cursor) => go({ ...view, cursor }, [...cursors, view.cursor]),
    prevPage: () => go({ ...view, cursor: cursors.at(-1) ?? '' }, cursors.slice(0, -1)),
  }
}
