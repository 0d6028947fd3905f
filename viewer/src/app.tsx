import { useCallback, useEffect, useState } from 'preact/hooks'
import { PinDialog } from './components/pin-dialog.js'
import { SignIn } from './components/sign-in.js'
import { Viewer } from './components/viewer.js'
import { ApiError, apiJson } from './lib/api.js'
import { clearApiKey, forgetPin, loadApiKey, loadPin, type Pin, saveApiKey, savePin } from './lib/storage.js'
import type { LogInfo } from './lib/types.js'

function signInError(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return 'This key was refused: it is unknown or revoked.'
  if (error instanceof ApiError && error.status === 403) return 'This key lacks the read scope.'
  return `Could not reach the log: ${error instanceof Error ? error.message : String(error)}`
}

/** Sign-in, then key pinning on the first visit, then the viewer. */
export function App() {
  const [apiKey, setApiKey] = useState<string | null>(loadApiKey)
  const [log, setLog] = useState<LogInfo | null>(null)
  const [pin, setPin] = useState<Pin | null>(loadPin)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const signIn = useCallback((key: string) => {
    setBusy(true)
    setError(null)
    apiJson<LogInfo>(key, '/log')
      .then((info) => {
        saveApiKey(key)
        setApiKey(key)
        setLog(info)
      })
      .catch((e: unknown) => {
        // A refused key is forgotten; a server that cannot be reached does not sign a reload out.
        const refused = e instanceof ApiError && (e.status === 401 || e.status === 403)
        if (refused || loadApiKey() === null) {
          clearApiKey()
          setApiKey(null)
        }
        setError(signInError(e))
      })
      .finally(() => setBusy(false))
  }, [])

  // A reload within the tab: the key is still in sessionStorage.
  useEffect(() => {
    if (apiKey !== null) signIn(apiKey)
  }, [])

  const signOut = () => {
    clearApiKey()
    setApiKey(null)
    setLog(null)
    setError(null)
  }

  if (apiKey === null) return <SignIn error={error} busy={busy} onSubmit={signIn} />
  if (log === null && error !== null && !busy) {
    return (
      <main class="center">
        <section class="card" role="alert">
          <p class="error">{error}</p>
          <div class="row-buttons">
            <button type="button" class="primary" onClick={() => signIn(apiKey)}>
              Try again
            </button>
            <button type="button" data-testid="sign-out" onClick={signOut}>
              Sign out
            </button>
          </div>
        </section>
      </main>
    )
  }
  if (log === null) return <main class="center muted">Loading…</main>
  if (pin === null) {
    return (
      <PinDialog
        origin={log.origin}
        servedKey={log.verifierKey}
        onPin={(key) => setPin(savePin(key))}
        onCancel={signOut}
      />
    )
  }
  return (
    <Viewer
      apiKey={apiKey}
      log={log}
      pinnedKey={pin.verifierKey}
      onSignOut={signOut}
      onForgetPin={() => {
        forgetPin()
        setPin(null)
      }}
    />
  )
}
