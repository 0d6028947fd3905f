// What the page may trust: the row verifier for the pinned key, the key error (a checkpoint the
// pinned key did not sign) and the history warning (the log no longer extends a checkpoint seen).
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { checkHistory } from '../lib/history-check.js'
import { createRowVerifier, type RowVerifier } from '../lib/verify-rows.js'

export interface Trust {
  readonly verifier: RowVerifier
  /** Why a checkpoint did not verify with the pinned key, or null. */
  readonly keyError: string | null
  /** When the checkpoint the log's history no longer extends was seen, or null. */
  readonly historySince: string | null
}

export function useTrust(apiKey: string, pinnedKey: string, origin: string): Trust {
  const [keyError, setKeyError] = useState<string | null>(null)
  const [historySince, setHistorySince] = useState<string | null>(null)
  // The history check runs once per sign-in, on the served checkpoint; when the server has signed
  // none yet, on the first proof batch's. Badges wait for it, so that a page whose badges have
  // settled has remembered (or refused) its checkpoint.
  const history = useRef<Promise<boolean> | null>(null)
  const runHistory = useCallback(
    (note?: string) =>
      checkHistory(apiKey, pinnedKey, origin, note)
        .then((result) => {
          if (result.keyError !== undefined) setKeyError((r) => r ?? result.keyError ?? null)
          if (result.changedSince !== undefined) setHistorySince(result.changedSince)
          return result.noCheckpoint !== true
        })
        .catch(() => true), // an outage: checked again on the next visit
    [apiKey, pinnedKey, origin],
  )
  useEffect(() => {
    history.current = runHistory()
  }, [runHistory])

  const verifier = useMemo(
    () =>
      createRowVerifier(apiKey, pinnedKey, origin, (note, problem) => {
        if (problem !== null) {
          setKeyError((r) => r ?? problem)
          return undefined
        }
        const first = history.current ?? Promise.resolve(false)
        history.current = first.then((checked) => checked || runHistory(note))
        return history.current.then(() => {})
      }),
    [apiKey, pinnedKey, origin, runHistory],
  )
  return { verifier, keyError, historySince }
}
