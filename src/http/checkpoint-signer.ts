import { type AuditLog, type SignedCheckpoint, ValidationError } from '../index.js'

// A fresh checkpoint is signed at most this often for the whole app, however many proofs ask.
const MIN_SIGNING_INTERVAL_MS = 1000

/** Finds a signed checkpoint covering a seq, signing a fresh one when needed, at most one a second. */
export interface CheckpointSigner {
  /** The newest stored checkpoint with `treeSize > seq`, signed now if none is; null without a signing key. */
  covering(seq: number): Promise<SignedCheckpoint | null>
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function lacksSigningKey(error: unknown): boolean {
  return error instanceof ValidationError && error.issues.some((issue) => issue.field === 'signingKey')
}

/**
 * One signer per app: concurrent requests share one `audit.checkpoint()` call, and calls start at
 * least a second apart (a request waits for the next slot rather than being refused).
 */
export function createCheckpointSigner(audit: AuditLog<string>): CheckpointSigner {
  let signing: Promise<void> | null = null
  let lastStartedAt = Number.NEGATIVE_INFINITY
  let canSign = true

  function signOnce(): Promise<void> {
    signing ??= (async () => {
      try {
        const wait = lastStartedAt + MIN_SIGNING_INTERVAL_MS - Date.now()
        if (wait > 0) await sleep(wait)
        lastStartedAt = Date.now()
        await audit.checkpoint()
      } catch (error) {
        if (!lacksSigningKey(error)) throw error
        canSign = false
      } finally {
        signing = null
      }
    })()
    return signing
  }

  return {
    async covering(seq) {
      for (;;) {
        const latest = await audit.latestCheckpoint()
        if (latest !== null && latest.treeSize > seq) return latest
        if (!canSign) return null
        // A signing that started before this entry was sealed may not cover it: then another.
        await signOnce()
      }
    },
  }
}
