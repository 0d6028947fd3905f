import { PAGE_SIZES } from '../lib/url-state.js'

interface PagerProps {
  readonly count: number | null
  readonly limit: number
  readonly hasPrev: boolean
  readonly hasNext: boolean
  readonly onPrev: () => void
  readonly onNext: () => void
  readonly onLimit: (limit: number) => void
}

/** The match count, the page size and previous/next. */
export function Pager(props: PagerProps) {
  return (
    <div class="pager">
      <span class="count" data-testid="count" data-count={props.count ?? ''} aria-live="polite">
        {props.count === null
          ? 'counting…'
          : `${props.count.toLocaleString()} ${props.count === 1 ? 'entry' : 'entries'}`}
      </span>
      <label class="inline">
        <span class="per-page">Per page</span>
        <select
          data-testid="page-size"
          value={props.limit}
          onChange={(e) => props.onLimit(Number(e.currentTarget.value))}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="button" data-testid="prev" disabled={!props.hasPrev} onClick={props.onPrev}>
        ‹ Newer
      </button>
      <button type="button" data-testid="next" disabled={!props.hasNext} onClick={props.onNext}>
        Older ›
      </button>
    </div>
  )
}
