import type { AuditLog, KeySet } from '../index.js'
import { appendIfExtends } from './append-check.js'
import { lastCheckpointNote } from './checkpoint-file.js'
import { describeError } from './exit-codes.js'

/** Options of {@link startCheckpointLoop}. */
export interface CheckpointLoopOptions {
  /** A log opened with a `signingKey`. */
  readonly audit: AuditLog<string>
  /** Milliseconds from the end of one round to the start of the next. */
  readonly intervalMs: number
  /** Where each new checkpoint is appended, after checking that it extends the file's last; none: sign only. */
  readonly file?: string | undefined
  /** The keys the file's last checkpoint may be signed with (the log's own public key, earlier ones). */
  readonly keys: KeySet
  /** Where a failed round is told, one line each (stderr). */
  readonly report: (line: string) => void
}

/** A running checkpoint loop. */
export interface CheckpointLoop {
  /** Stops the timer, waits for a round under way, then runs a last one: the checkpoint of the shutdown. */
  finish(): Promise<void>
}

/**
 * Signs a checkpoint every `intervalMs` (rounds never overlap: the next is timed from the end of the
 * previous) and appends each new one to `file` as `auditkit checkpoint --append` does, when the log
 * grew since the file's last. Nothing a round meets stops the loop or the process: a failure (the
 * database down, the file unwritable) is reported in one line and tried again next round. A file
 * whose last checkpoint the log does not extend (the log was rewritten, or the file is another
 * log's) is never appended to, and is reported every round until someone looks.
 *
 * @example
 * const loop = startCheckpointLoop({ audit, intervalMs: 60_000, file: 'checkpoints.txt', keys: [audit.publicKey ?? ''], report })
 * // on SIGTERM, after the last request:
 * await loop.finish()
 * await audit.close()
 */
export function startCheckpointLoop(options: CheckpointLoopOptions): CheckpointLoop {
  const { intervalMs } = options
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      running = checkpointRound(options).finally(schedule)
    }, intervalMs).unref()
  }
  schedule()
  return {
    async finish() {
      stopped = true
      clearTimeout(timer)
      await running
      await checkpointRound(options)
    },
  }
}

async function checkpointRound({ audit, file, keys, report }: CheckpointLoopOptions): Promise<void> {
  try {
    const cp = await audit.checkpoint()
    if (file === undefined) return
    const outcome = await appendIfExtends(audit, file, await lastCheckpointNote(file), cp, keys, { onlyGrowth: true })
    if (outcome.kind === 'refused') {
      const { code, detail } = outcome.refusal
      report(
        `auditkit: checkpoint failed: not appended to ${file}: ${code}: ${detail} ` +
          "(the log's history no longer extends the file's: rewritten, or the file is another log's)",
      )
    }
  } catch (error) {
    report(`auditkit: checkpoint failed: ${describeError(error).line}`)
  }
}
