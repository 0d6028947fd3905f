interface KeyErrorProps {
  readonly reason: string
  readonly pinnedKey: string
  readonly onForget: () => void
}

/** The served checkpoint is not signed by the pinned key: persistent and red. */
export function KeyErrorBanner({ reason, pinnedKey, onForget }: KeyErrorProps) {
  return (
    <div class="banner danger" role="alert" data-testid="key-error">
      <strong>This log's checkpoint is not signed by the key you pinned.</strong> Nothing on this page can be trusted as
      verified. The log may have been rebuilt or re-signed with another key, or the server is not the one you pinned.{' '}
      <span class="muted-on-danger">({reason})</span>
      <details>
        <summary>Pinned key</summary>
        <code class="key">{pinnedKey}</code>
        <p>
          Unpin it only if the log's operator has told you, out of band, that the key changed.{' '}
          <button type="button" class="link on-danger" onClick={onForget}>
            Unpin and choose again
          </button>
        </p>
      </details>
    </div>
  )
}

/** The log's history changed since the last checkpoint this browser saw: persistent and red. */
export function HistoryBanner({ since }: { readonly since: string }) {
  const date = new Date(since)
  const when = Number.isNaN(date.getTime()) ? since : date.toLocaleString()
  return (
    <div class="banner danger" role="alert" data-testid="history-banner">
      <strong>This log's history changed since {when}.</strong> The log no longer extends the checkpoint this browser
      saw then: entries sealed before were changed or removed. Report it to the log's operator.
    </div>
  )
}
