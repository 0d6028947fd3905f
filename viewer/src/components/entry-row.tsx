import { formatTime, metadataPreview, shortAgent } from '../lib/format.js'
import type { Badge, WireEntry } from '../lib/types.js'
import type { Role } from '../lib/url-state.js'
import { BadgeView } from './badge-view.js'

const ID_TAIL = 6

interface EntryRowProps {
  readonly entry: WireEntry
  readonly badge: Badge
  readonly utc: boolean
  readonly selected: boolean
  readonly onOpen: (uuid: string) => void
  readonly onAction: (action: string) => void
  readonly onUser: (user: string, role: Role) => void
}

/**
 * One entry. The row is focusable and opens the detail on click or Enter; the action and user
 * cells filter by their value instead (their buttons make that reachable by keyboard too).
 */
export function EntryRow({ entry, badge, utc, selected, onOpen, onAction, onUser }: EntryRowProps) {
  // The button fills its cell: a click anywhere in it filters, and the keyboard reaches it too.
  const filterCell = (label: string, value: string, run: () => void, tail = 0) => (
    <button
      type="button"
      class="cell-link"
      title={`${label}: ${value}`}
      onClick={(e) => {
        e.stopPropagation()
        run()
      }}
    >
      {/* Ids that share a prefix differ at the end: the head gives way first, the tail stays. */}
      <span class="head">{value.slice(0, value.length - tail)}</span>
      {tail > 0 && <span class="tail">{value.slice(-tail)}</span>}
    </button>
  )
  return (
    <tr
      data-testid="row"
      data-uuid={entry.uuid}
      tabIndex={0}
      class={`${selected ? 'selected' : ''} state-${badge.state}`}
      aria-selected={selected}
      onClick={() => onOpen(entry.uuid)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) {
          e.preventDefault()
          onOpen(entry.uuid)
        }
      }}
    >
      <td data-col="badge">
        <BadgeView badge={badge} />
      </td>
      <td data-col="time" class="nowrap">
        {formatTime(entry.insertedAt, utc)}
      </td>
      <td data-col="action">{filterCell('Filter by action', entry.action, () => onAction(entry.action))}</td>
      <td data-col="admin" class="id">
        {filterCell('Filter by admin', entry.adminUserUuid, () => onUser(entry.adminUserUuid, 'admin'), ID_TAIL)}
      </td>
      <td data-col="target" class="id">
        {filterCell('Filter by target', entry.targetUserUuid, () => onUser(entry.targetUserUuid, 'target'), ID_TAIL)}
      </td>
      <td data-col="ip" class="nowrap mono">
        {entry.ipAddress ?? ''}
      </td>
      <td data-col="agent" title={entry.userAgent ?? ''}>
        {shortAgent(entry.userAgent)}
      </td>
      <td data-col="metadata" class="meta">
        {metadataPreview(entry.metadata)}
      </td>
    </tr>
  )
}
