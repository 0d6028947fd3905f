import type { Badge, WireEntry } from '../lib/types.js'
import type { Role } from '../lib/url-state.js'
import { EntryRow } from './entry-row.js'

interface EntriesTableProps {
  readonly entries: readonly WireEntry[]
  readonly badges: ReadonlyMap<string, Badge>
  readonly utc: boolean
  readonly selected: string | null
  readonly loading: boolean
  readonly error: string | null
  readonly onOpen: (uuid: string) => void
  readonly onAction: (action: string) => void
  readonly onUser: (user: string, role: Role) => void
}

const PENDING: Badge = { state: 'pending', reason: 'checking…' }

/** The entries, newest first. */
export function EntriesTable(props: EntriesTableProps) {
  const { entries, badges, loading, error } = props
  return (
    <div class="table-wrap">
      <table data-testid="entries" aria-busy={loading}>
        <thead>
          <tr>
            <th scope="col" data-col="badge">
              Verified
            </th>
            <th scope="col" data-col="time">
              Time {props.utc ? '(UTC)' : '(local)'}
            </th>
            <th scope="col" data-col="action">
              Action
            </th>
            <th scope="col" data-col="admin">
              Admin
            </th>
            <th scope="col" data-col="target">
              Target
            </th>
            <th scope="col" data-col="ip">
              IP
            </th>
            <th scope="col" data-col="agent">
              User agent
            </th>
            <th scope="col" data-col="metadata">
              Metadata
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <EntryRow
              key={entry.uuid}
              entry={entry}
              badge={badges.get(entry.uuid) ?? PENDING}
              utc={props.utc}
              selected={props.selected === entry.uuid}
              onOpen={props.onOpen}
              onAction={props.onAction}
              onUser={props.onUser}
            />
          ))}
        </tbody>
      </table>
      {error !== null && (
        <p class="error empty" role="alert">
          {error}
        </p>
      )}
      {error === null && !loading && entries.length === 0 && <p class="empty muted">No entries match these filters.</p>}
    </div>
  )
}
