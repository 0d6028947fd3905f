import type { LiveState } from '../hooks/use-live.js'

interface TopBarProps {
  readonly origin: string
  readonly pinnedKey: string
  readonly utc: boolean
  readonly onUtc: (utc: boolean) => void
  readonly live: boolean
  readonly liveState: LiveState
  readonly onLive: (live: boolean) => void
  readonly onSignOut: () => void
}

const LIVE_TEXT = {
  off: 'off',
  connecting: 'connecting…',
  live: 'live: following new entries',
  paused: 'paused',
  reconnecting: 'reconnecting…',
} as const

/** The header: the log, its pinned key, the UTC and live toggles, sign-out. */
export function TopBar(props: TopBarProps) {
  const { liveState } = props
  const held = liveState.held > 0 ? ` (${liveState.held} new)` : ''
  return (
    <header class="top-bar">
      <div class="brand">
        <span class="logo" aria-hidden="true">
          ◆
        </span>
        <div>
          <div class="title">
            auditkit <span class="muted">{props.origin}</span>
          </div>
          <div class="pinned small">
            <span class="muted">pinned key </span>
            <code data-testid="pinned-key" title={props.pinnedKey}>
              {props.pinnedKey}
            </code>
          </div>
        </div>
      </div>
      <div class="top-controls">
        <label class="toggle">
          <input
            type="checkbox"
            data-testid="utc"
            checked={props.utc}
            onChange={(e) => props.onUtc(e.currentTarget.checked)}
          />
          UTC
        </label>
        <label class="toggle">
          <input
            type="checkbox"
            data-testid="live"
            checked={props.live}
            onChange={(e) => props.onLive(e.currentTarget.checked)}
          />
          Live
        </label>
        <span
          class={`live-status live-${liveState.status}`}
          data-testid="live-status"
          data-state={liveState.status}
          aria-live="polite"
        >
          {LIVE_TEXT[liveState.status]}
          {held}
        </span>
        <button type="button" data-testid="sign-out" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  )
}
