import { useLayoutEffect, useRef } from 'preact/hooks'
import { saveBlob } from '../lib/download.js'
import { formatTime } from '../lib/format.js'
import { shellQuote } from '../lib/shell-quote.js'
import type { Badge, WireEntry } from '../lib/types.js'
import { BadgeView } from './badge-view.js'
import { CopyButton } from './copy-button.js'

interface DetailPanelProps {
  readonly entry: WireEntry
  readonly badge: Badge
  readonly utc: boolean
  readonly origin: string
  readonly pinnedKey: string
  readonly onClose: () => void
}

const FIELDS = ['uuid', 'action', 'adminUserUuid', 'targetUserUuid', 'ipAddress', 'userAgent', 'insertedAt'] as const

function Field({ name, value, shown }: { readonly name: string; readonly value: string; readonly shown?: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>
        <span class="value" data-testid={`detail-field-${name}`}>
          {shown ?? value}
        </span>
        {value !== '' && <CopyButton name={name} text={value} />}
      </dd>
    </>
  )
}

/** Every field of one entry, its metadata, its badge and its proof, with the CLI command that checks it offline. */
export function DetailPanel({ entry, badge, utc, origin, pinnedKey, onClose }: DetailPanelProps) {
  const panel = useRef<HTMLElement>(null)
  useLayoutEffect(() => panel.current?.focus(), [entry.uuid])
  const metadata = JSON.stringify(entry.metadata, null, 2)
  const { seq: _seq, ...fields } = entry
  const proofFile =
    badge.proof === undefined
      ? null
      : JSON.stringify({ entry: fields, proof: badge.proof, checkpoint: badge.checkpoint }, null, 2)
  const fileName = `${entry.uuid}.proof.json`
  const command = `auditkit verify-proof ${fileName} --public-key ${shellQuote(pinnedKey)} --origin ${shellQuote(origin)}`

  return (
    <aside class="detail" data-testid="detail" ref={panel} tabIndex={-1} aria-label={`Entry ${entry.uuid}`}>
      <header class="detail-head">
        <h2>{entry.action}</h2>
        <button type="button" data-testid="detail-close" aria-label="Close (Esc)" onClick={onClose}>
          ✕
        </button>
      </header>
      <div class="detail-badge">
        <BadgeView badge={badge} />
        <p class={badge.state === 'failed' ? 'error small' : 'muted small'} data-testid="detail-reason">
          {badge.reason}
        </p>
      </div>
      <dl class="fields">
        {FIELDS.map((name) => (
          <Field
            key={name}
            name={name}
            value={entry[name] ?? ''}
            shown={
              name === 'insertedAt'
                ? `${entry.insertedAt} (${formatTime(entry.insertedAt, utc)}${utc ? '' : ' local'})`
                : undefined
            }
          />
        ))}
        <dt>seq</dt>
        <dd>
          <span class="value" data-testid="detail-seq">
            {entry.seq === null ? 'not sealed yet' : String(entry.seq)}
          </span>
        </dd>
      </dl>
      <h3>
        Metadata <CopyButton name="metadata" text={metadata} />
      </h3>
      <pre data-testid="detail-metadata">{metadata}</pre>
      <h3>
        Proof {proofFile !== null && <CopyButton name="proof" text={proofFile} />}
        {proofFile !== null && (
          <button
            type="button"
            class="copy"
            title={`Save as ${fileName}`}
            onClick={() => saveBlob(new Blob([proofFile], { type: 'application/json' }), fileName)}
          >
            Save file
          </button>
        )}
      </h3>
      <pre data-testid="detail-proof">
        {proofFile ?? (entry.seq === null ? 'No proof yet: the entry is not sealed.' : 'No proof was fetched.')}
      </pre>
      <h3>
        Check it offline <CopyButton name="verify-command" text={command} label="command" />
      </h3>
      <p class="muted small">Save the proof file, then run:</p>
      <code class="command" data-testid="detail-verify-command">
        {command}
      </code>
    </aside>
  )
}
