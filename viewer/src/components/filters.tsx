import { useEffect, useState } from 'preact/hooks'
import { fromLocalInput, toLocalInput } from '../lib/format.js'
import { QUICK_RANGES, type Role, type ViewState } from '../lib/url-state.js'

interface FiltersProps {
  readonly view: ViewState
  readonly actions: readonly string[]
  readonly onChange: (view: ViewState) => void
}

const RANGE_LABEL = { '1h': 'Last hour', '24h': '24 h', '7d': '7 days', '30d': '30 days' } as const
const USER_DELAY_MS = 400

/** The filters: actions, a user in a role, a quick or custom date range. Each change is a new URL. */
export function Filters({ view, actions, onChange }: FiltersProps) {
  const [user, setUser] = useState(view.user)
  useEffect(() => setUser(view.user), [view.user])
  const set = (patch: Partial<ViewState>) => onChange({ ...view, ...patch, cursor: '' })
  const commitUser = (value: string) => {
    if (value.trim() !== view.user) set({ user: value.trim() })
  }
  // Typing settles into one history entry, not one per keystroke.
  useEffect(() => {
    if (user.trim() === view.user) return
    const timer = setTimeout(() => commitUser(user), USER_DELAY_MS)
    return () => clearTimeout(timer)
  })
  const known = [...new Set([...actions, ...view.actions])].sort()
  const filtered =
    view.actions.length > 0 || view.user !== '' || view.range !== '' || view.from !== '' || view.to !== ''

  return (
    <section class="filters" aria-label="Filters">
      <div class="field actions">
        <label for="filter-action">Action</label>
        <select
          id="filter-action"
          data-testid="filter-action"
          multiple
          size={Math.min(4, Math.max(2, known.length))}
          onChange={(e) => set({ actions: [...e.currentTarget.selectedOptions].map((o) => o.value) })}
        >
          {known.map((a) => (
            <option key={a} value={a} selected={view.actions.includes(a)}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <div class="field user">
        <label for="filter-user">User</label>
        <div class="inline">
          <input
            id="filter-user"
            data-testid="filter-user"
            type="search"
            spellcheck={false}
            placeholder="user id"
            value={user}
            onInput={(e) => setUser(e.currentTarget.value)}
            onChange={(e) => commitUser(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && commitUser(e.currentTarget.value)}
          />
          <label class="visually-hidden" for="filter-role">
            Role
          </label>
          <select
            id="filter-role"
            data-testid="filter-role"
            value={view.role}
            onChange={(e) => set({ role: e.currentTarget.value as Role })}
          >
            <option value="either">as target or admin</option>
            <option value="target">as target</option>
            <option value="admin">as admin</option>
          </select>
        </div>
      </div>
      <fieldset class="field range">
        <legend class="label">Time</legend>
        <div class="inline">
          {QUICK_RANGES.map((r) => (
            <button
              key={r}
              type="button"
              class="chip"
              data-testid={`range-${r}`}
              aria-pressed={view.range === r}
              onClick={() => set({ range: view.range === r ? '' : r, from: '', to: '' })}
            >
              {RANGE_LABEL[r]}
            </button>
          ))}
        </div>
      </fieldset>
      <div class="field">
        <label for="filter-from">From (local time)</label>
        <input
          id="filter-from"
          data-testid="filter-from"
          type="datetime-local"
          value={toLocalInput(view.from)}
          onChange={(e) => set({ from: fromLocalInput(e.currentTarget.value), range: '' })}
        />
      </div>
      <div class="field">
        <label for="filter-to">To (local time)</label>
        <input
          id="filter-to"
          data-testid="filter-to"
          type="datetime-local"
          value={toLocalInput(view.to)}
          onChange={(e) => set({ to: fromLocalInput(e.currentTarget.value), range: '' })}
        />
      </div>
      <div class="field end">
        <button
          type="button"
          data-testid="filters-clear"
          disabled={!filtered}
          onClick={() => {
            setUser('')
            set({ actions: [], user: '', role: 'either', range: '', from: '', to: '' })
          }}
        >
          Clear filters
        </button>
      </div>
    </section>
  )
}
