import { useState } from 'preact/hooks'
import type { Query } from '../lib/api.js'
import { downloadApi } from '../lib/download.js'

interface ExportButtonsProps {
  readonly apiKey: string
  /** The current filters, exactly as the table's. */
  readonly filters: () => Query
}

/** Export of every entry the current filters match, as CSV or JSON Lines. */
export function ExportButtons({ apiKey, filters }: ExportButtonsProps) {
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const run = (format: 'csv' | 'jsonl') => {
    setBusy(format)
    setError(null)
    downloadApi(apiKey, '/events/export', { ...filters(), format }, `auditkit-export.${format}`)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setBusy(null))
  }
  return (
    <fieldset class="export">
      <legend class="visually-hidden">Export</legend>
      <button type="button" data-testid="export-csv" disabled={busy !== null} onClick={() => run('csv')}>
        {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      <button type="button" data-testid="export-jsonl" disabled={busy !== null} onClick={() => run('jsonl')}>
        {busy === 'jsonl' ? 'Exporting…' : 'Export JSONL'}
      </button>
      {error !== null && (
        <span class="error small" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  )
}
