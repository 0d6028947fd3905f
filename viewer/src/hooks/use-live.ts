// The live tail: /v1/events/stream read with fetch (EventSource cannot send the key), new entries
// handed on while not paused and held while paused (the user scrolled down or has a row open).
import { useEffect, useRef, useState } from 'preact/hooks'
import { apiFetch } from '../lib/api.js'
import { readSse } from '../lib/sse.js'
import type { WireEntry } from '../lib/types.js'
import { apiFilters, type ViewState } from '../lib/url-state.js'

const RETRY_MS = 2000

export type LiveStatus = 'off' | 'connecting' | 'live' | 'paused' | 'reconnecting'

export interface LiveState {
  readonly status: LiveStatus
  /** Entries held while paused. */
  readonly held: number
}

/**
 * Follows the stream while `enabled`, from `fromSeq` (the sealed size when the page was loaded, so
 * that nothing sealed between the page and the toggle is missed; rows shown already are skipped).
 */
export function useLive(
  apiKey: string,
  view: ViewState,
  fromSeq: number,
  enabled: boolean,
  paused: boolean,
  deliver: (entries: WireEntry[]) => void,
): LiveState {
  const [status, setStatus] = useState<LiveStatus>('off')
  const [held, setHeld] = useState<WireEntry[]>([])
  const pausedRef = useRef(paused)
  pausedRef.current = paused
  const deliverRef = useRef(deliver)
  deliverRef.current = deliver
  const filters = JSON.stringify(apiFilters(view, 0))

  useEffect(() => {
    setHeld([])
    if (!enabled) {
      setStatus('off')
      return
    }
    const abort = new AbortController()
    let lastId: string | undefined
    const onEntry = (entry: WireEntry) => {
      if (pausedRef.current) setHeld((h) => [entry, ...h])
      else deliverRef.current([entry])
    }
    const run = async () => {
      while (!abort.signal.aborted) {
        try {
          setStatus(lastId === undefined ? 'connecting' : 'reconnecting')
          const headers: Record<string, string> = lastId === undefined ? {} : { 'Last-Event-ID': lastId }
          const query = { ...apiFilters(view), fromSeq }
          const response = await apiFetch(apiKey, '/events/stream', query, { headers, signal: abort.signal })
          setStatus('live')
          await readSse(
            response,
            (event) => {
              if (event.id !== undefined) lastId = event.id
              if (event.event === 'entry') onEntry(JSON.parse(event.data) as WireEntry)
            },
            abort.signal,
          )
        } catch {
          // Retried below, unless the toggle or the filters ended it.
        }
        if (abort.signal.aborted) return
        setStatus('reconnecting')
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
      }
    }
    void run()
    return () => abort.abort()
  }, [apiKey, enabled, filters, fromSeq])

  useEffect(() => {
    if (!paused && held.length > 0) {
      deliver(held)
      setHeld([])
    }
  }, [paused, held, deliver])

  return { status: enabled && paused && status === 'live' ? 'paused' : status, held: held.length }
}
