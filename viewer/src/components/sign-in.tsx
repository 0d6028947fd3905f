import { useState } from 'preact/hooks'

interface SignInProps {
  readonly error: string | null
  readonly busy: boolean
  readonly onSubmit: (apiKey: string) => void
}

/** The sign-in form: an API key with the read scope, kept in this tab only. */
export function SignIn({ error, busy, onSubmit }: SignInProps) {
  const [key, setKey] = useState('')
  return (
    <main class="center">
      <form
        class="card signin"
        data-testid="signin-form"
        onSubmit={(event) => {
          event.preventDefault()
          if (key.trim() !== '') onSubmit(key.trim())
        }}
      >
        <h1>auditkit</h1>
        <p class="muted">
          Sign in with an API key that has the <code>read</code> scope.
        </p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          data-testid="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="ak_…"
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        {error !== null && (
          <p class="error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" data-testid="sign-in" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">
          The key is kept in this tab's session storage until you sign out or close the tab, and is sent only in the
          Authorization header.
        </p>
      </form>
    </main>
  )
}
