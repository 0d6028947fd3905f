// The total number of entries matching the view's filters (/v1/events/count).
import { useEffect, useState } from 'preact/hooks'
import { apiJson } from '../lib/api.js'
import { apiFilters, type ViewState } from '../lib/url-state.js'

export function useCount(apiKey: string, view: ViewState): [number | null, (added: number) => void] {
  const [count, setCount] = useState<number | null>(null)
  const key = JSON.stringify([apiFilters(view, 0), view.range])

  useEffect(() => {
    const abort = new AbortController()
    setCount(null)
    apiJson<{ count: number }>(apiKey, '/events/count', apiFilters(view), abort.signal)
      .then((r) => setCount(r.count))
      .catch(() => {})
    return () => abort.abort()
  }, [apiKey, key])

  return [count, (added) => setCount((c) => (c === null ? c : c + added))]
}
