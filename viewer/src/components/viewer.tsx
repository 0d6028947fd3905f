import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { useBadges } from '../hooks/use-badges.js'
import { useCount } from '../hooks/use-count.js'
import { useEntries } from '../hooks/use-entries.js'
import { useLive } from '../hooks/use-live.js'
import { useScrolled } from '../hooks/use-scrolled.js'
import { useTrust } from '../hooks/use-trust.js'
import { useUrlView } from '../hooks/use-url-view.js'
import type { LogInfo, WireEntry } from '../lib/types.js'
import { apiFilters, type Role } from '../lib/url-state.js'
import { HistoryBanner, KeyErrorBanner } from './banners.js'
import { DetailPanel } from './detail-panel.js'
import { EntriesTable } from './entries-table.js'
import { ExportButtons } from './export-buttons.js'
import { Filters } from './filters.js'
import { Pager } from './pager.js'
import { TopBar } from './top-bar.js'

interface ViewerProps {
  readonly apiKey: string
  readonly log: LogInfo
  readonly pinnedKey: string
  readonly onSignOut: () => void
  readonly onForgetPin: () => void
}

const PENDING = { state: 'pending', reason: 'checking…' } as const

/** The signed-in page: filters, the table with its badges, paging, export, live tail and the detail panel. */
export function Viewer({ apiKey, log, pinnedKey, onSignOut, onForgetPin }: ViewerProps) {
  const { view, cursors, setView, nextPage, prevPage } = useUrlView()
  const { verifier, keyError, historySince } = useTrust(apiKey, pinnedKey, log.origin)
  const page = useEntries(apiKey, view)
  const [count, addToCount] = useCount(apiKey, view)
  const badges = useBadges(verifier, page.entries)
  const [openUuid, setOpenUuid] = useState<string | null>(null)
  const open = openUuid === null ? undefined : page.entries.find((e) => e.uuid === openUuid)

  const scrolled = useScrolled()
  const [live, setLive] = useState(false)
  const shown = useRef(page.entries)
  shown.current = page.entries
  const deliver = useCallback(
    (entries: WireEntry[]) => {
      // The stream may replay rows the page shows already (it starts where the page was loaded).
      const known = new Set(shown.current.map((e) => e.uuid))
      page.prepend(entries)
      addToCount(entries.filter((e) => !known.has(e.uuid)).length)
    },
    [page.prepend, addToCount],
  )
  const paused = scrolled || open !== undefined || view.cursor !== ''
  const liveState = useLive(apiKey, view, log.treeSize, live, paused, deliver)

  const rowsMarked = useRef(false)
  // In a layout effect: the rows are in the DOM; a plain effect would wait for the next frame.
  useLayoutEffect(() => {
    if (!rowsMarked.current && !page.loading) {
      rowsMarked.current = true
      performance.mark('auditkit:rows')
    }
  }, [page.loading])

  // Read through a ref: Escape may come before the effects of the render that opened the panel
  // have run (Preact runs them after the next frame), so the listener is set once and never stale.
  const openRef = useRef(openUuid)
  openRef.current = openUuid
  const close = useCallback(() => {
    const uuid = openRef.current
    if (uuid === null) return
    setOpenUuid(null)
    openRef.current = null
    document.querySelector<HTMLElement>(`tr[data-uuid="${CSS.escape(uuid)}"]`)?.focus()
  }, [])
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close()
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [close])

  const filterAction = (action: string) => setView({ ...view, actions: [action], cursor: '' })
  const filterUser = (user: string, role: Role) => setView({ ...view, user, role, cursor: '' })

  return (
    <div class={`app${open ? ' with-detail' : ''}`}>
      <TopBar
        origin={log.origin}
        pinnedKey={pinnedKey}
        utc={view.utc}
        onUtc={(utc) => setView({ ...view, utc })}
        live={live}
        liveState={liveState}
        onLive={setLive}
        onSignOut={onSignOut}
      />
      {keyError !== null && <KeyErrorBanner reason={keyError} pinnedKey={pinnedKey} onForget={onForgetPin} />}
      {historySince !== null && <HistoryBanner since={historySince} />}
      <main class="content">
        <Filters view={view} actions={log.actions ?? []} onChange={setView} />
        <div class="toolbar">
          <Pager
            count={count}
            limit={view.limit}
            hasPrev={view.cursor !== ''}
            hasNext={page.nextCursor !== null}
            onPrev={prevPage}
            onNext={() => page.nextCursor !== null && nextPage(page.nextCursor)}
            onLimit={(limit) => setView({ ...view, limit, cursor: '' })}
          />
          <ExportButtons apiKey={apiKey} filters={() => apiFilters(view)} />
        </div>
        <EntriesTable
          entries={page.entries}
          badges={badges}
          utc={view.utc}
          selected={openUuid}
          loading={page.loading}
          error={page.error}
          onOpen={setOpenUuid}
          onAction={filterAction}
          onUser={filterUser}
        />
        <p class="muted small footnote">
          {cursors.length > 0 ? `Page ${cursors.length + 1}. ` : ''}Each badge is checked in this browser against a
          checkpoint signed by the pinned key.
        </p>
      </main>
      {open !== undefined && (
        <DetailPanel
          entry={open}
          badge={badges.get(open.uuid) ?? PENDING}
          utc={view.utc}
          origin={log.origin}
          pinnedKey={pinnedKey}
          onClose={close}
        />
      )}
    </div>
  )
}
