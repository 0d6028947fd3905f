import type { Badge } from '../lib/types.js'

const TEXT = { pending: 'checking', verified: 'verified', unsealed: 'not sealed yet', failed: 'failed' } as const
const ICON = { pending: '…', verified: '✓', unsealed: '◷', failed: '✕' } as const

/** A row's verification badge; the reason is its title (hover) and is repeated in the detail panel. */
export function BadgeView({ badge }: { readonly badge: Badge }) {
  return (
    <span class={`badge badge-${badge.state}`} data-testid="badge" data-state={badge.state} title={badge.reason}>
      <span aria-hidden="true">{ICON[badge.state]}</span> {TEXT[badge.state]}
    </span>
  )
}
