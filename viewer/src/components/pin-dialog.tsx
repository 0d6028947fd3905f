import { useState } from 'preact/hooks'

interface PinDialogProps {
  readonly origin: string
  readonly servedKey: string | null
  readonly onPin: (verifierKey: string) => void
  readonly onCancel: () => void
}

// A C2SP verifier key: <name>+<8 hex key ID>+<base64 key>.
const VERIFIER_KEY = /^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/

/**
 * First sign-in for this origin: pin the log's verifier key, as served or pasted from a trusted
 * source. Every row is then checked against the pinned key, never against what the server says.
 */
export function PinDialog({ origin, servedKey, onPin, onCancel }: PinDialogProps) {
  const [pasted, setPasted] = useState('')
  const pastedOk = VERIFIER_KEY.test(pasted.trim())
  return (
    <main class="center">
      <section class="card pin" data-testid="pin-dialog" role="dialog" aria-modal="true" aria-labelledby="pin-title">
        <h1 id="pin-title">Pin this log's key</h1>
        <p>
          Rows are verified in this browser against a checkpoint signed by the log <code>{origin}</code>. Pin the key
          that signs it; this browser will then warn if the log is ever signed by another key.
        </p>
        <h2>The key this server serves</h2>
        {servedKey === null ? (
          <p class="error">This server has no signing key: paste the log's verifier key below.</p>
        ) : (
          <>
            <code class="key" data-testid="served-verifier-key">
              {servedKey}
            </code>
            <p class="muted small">Compare it with the key published by the log's operator (audit.pub).</p>
            <button type="button" class="primary" data-testid="pin-served" onClick={() => onPin(servedKey)}>
              Pin this key
            </button>
          </>
        )}
        <h2>Or paste the key from a trusted source</h2>
        <label for="pin-paste">Verifier key</label>
        <textarea
          id="pin-paste"
          data-testid="pin-paste"
          rows={3}
          spellcheck={false}
          placeholder="name+1a2b3c4d+base64…"
          value={pasted}
          onInput={(event) => setPasted(event.currentTarget.value)}
        />
        {pasted.trim() !== '' && !pastedOk && (
          <p class="error small">Not a verifier key (name+keyid+base64), as `auditkit keygen` writes it.</p>
        )}
        <div class="row-buttons">
          <button type="button" data-testid="pin-pasted" disabled={!pastedOk} onClick={() => onPin(pasted.trim())}>
            Pin the pasted key
          </button>
          <button type="button" class="link" onClick={onCancel}>
            Sign out
          </button>
        </div>
      </section>
    </main>
  )
}
