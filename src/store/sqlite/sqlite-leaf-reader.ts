import { Worker } from 'node:worker_threads'
import type { Entry } from '../../entry.js'
import type { Row } from '../executor.js'
import { leafOfValues } from '../row-leaf.js'
import type { ParallelSealed, WalkRow } from '../store.js'

/**
 * Whether the `k`th chunk of a walk goes to the worker, when it takes `share` of them: spread
 * evenly (share 0.5: every other chunk), so that the main thread takes the worker's chunks as it
 * goes and the worker never runs far ahead.
 */
export function workerTakes(k: number, share: number): boolean {
  return Math.floor((k + 1) * share) > Math.floor(k * share)
}

/** What the main thread hands a leaf worker (`sqlite-leaf-worker.ts`). */
export interface LeafWorkerData {
  /**
   * `sealed`: verify's chunks, seals `[at, at + chunk)` with their entries (`sealedRangeSql`).
   * `pending`: the sealer's chunks, the entries with rowids in `(at, at + chunk]`, in rowid order.
   */
  readonly mode: 'sealed' | 'pending'
  readonly file: string
  readonly table: string
  readonly from: number
  readonly to: number
  readonly chunk: number
  /** The share of the chunks the worker takes (see {@link workerTakes}). */
  readonly share: number
  /** Chunks the worker may post before the main thread has taken them. */
  readonly ahead: number
  /** Two Int32 slots: chunks taken, and a stop flag. */
  readonly control: SharedArrayBuffer
}

/**
 * One chunk as the worker posts it: per row its seq (`pending`: the entry's rowid), uuid (the
 * sealed one, for `sealed`), the entry's position (`sealed` only), and a kind (0: the leaf is in
 * `leaves`, 32 latin1 characters each, in order; 1: the entry is gone; 2: a row not in auditkit's
 * own shape, its values in `slow`, in order, for the main thread's general path).
 */
export interface LeafChunk {
  readonly from: number
  readonly seqs: number[]
  readonly uuids: string[]
  readonly positions: (number | null)[]
  readonly kinds: number[]
  leaves: string
  readonly slow: unknown[][]
  /**
   * `sealed` chunks of a whole aligned perfect subtree (`chunk` seals from a multiple of `chunk`,
   * every one kind 0): the root of their leaves.
   */
  root?: string
}

interface WorkerFailure {
  readonly error: { readonly message: string; readonly code: string | undefined }
}

const AHEAD = 32

/** A leaf computed on the worker thread: its text only (verify never asks for its Entry). */
class ComputedLeaf {
  readonly fallback = undefined
  readonly unreadable = undefined
  constructor(readonly leafText: string) {}
  get leaf(): Buffer {
    return Buffer.from(this.leafText, 'latin1')
  }
}

// From the sources (tsx, vitest) the worker is a .ts file that needs tsx's loader; from dist/, the
// compiled .js next to this one.
function spawn(data: LeafWorkerData): Worker {
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    const file = JSON.stringify(new URL('./sqlite-leaf-worker.ts', here).href)
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${file}) })`
    return new Worker(boot, { eval: true, workerData: data })
  }
  return new Worker(new URL('./sqlite-leaf-worker.js', here), { workerData: data })
}

/** A worker thread's chunks, handed over as the main thread comes to them. */
export interface ChunkReader {
  /** Whether the chunk starting at `at` is the worker's. */
  owns(at: number): boolean
  /**
   * The worker's chunk at `at`, once posted; undefined when the thread failed or ended without it
   * (the main thread then reads it itself; the first such failure is a process warning).
   */
  take(at: number): Promise<LeafChunk | undefined>
  /** Stops the thread and resolves when it has ended. */
  close(): Promise<void>
}

/**
 * Starts a worker thread that reads `share` of the chunks of `[from, to)` (see
 * {@link workerTakes}) from the SQLite `file` on a read-only connection of its own and computes
 * their leaves. `warning` names the work in the warning a failed thread gives (its code: `code`).
 * With `unref`, the thread does not keep the process alive.
 */
export function startChunkReader(
  data: Omit<LeafWorkerData, 'ahead' | 'control'>,
  warning: { readonly text: string; readonly code: string },
  unref = false,
): ChunkReader {
  const { from, to, chunk, share } = data
  const control = new SharedArrayBuffer(8)
  const flags = new Int32Array(control)
  const worker = spawn({ ...data, ahead: AHEAD, control })
  if (unref) worker.unref()
  // Chunks posted and not yet taken, by their first seq: each take() waits for its own.
  const ready = new Map<number, LeafChunk>()
  // Why the thread failed, once it did: its chunks then fall back to the main thread.
  let failed: string | undefined
  let exited = false
  // Every take() waiting for a chunk (the walk asks for two ahead) is woken by any news.
  let waiting: (() => void)[] = []
  const wake = () => {
    const woken = waiting
    waiting = []
    for (const w of woken) w()
  }
  worker.on('message', (m: LeafChunk | WorkerFailure) => {
    if ('error' in m) failed ??= m.error.message
    else ready.set(m.from, m)
    wake()
  })
  worker.on('error', (e: unknown) => {
    // An error thrown in the thread arrives as an Error, or as a plain object with its message.
    failed ??= String((e as { message?: unknown } | null)?.message ?? e)
    wake()
  })
  let stopped = false
  worker.on('exit', () => {
    stopped = true
    // A turn later: whatever the thread posted before it ended has been delivered by then.
    setImmediate(() => {
      exited = true
      wake()
    })
  })
  let warned = false
  // Set by close(): a chunk not taken after that is no failure of the thread's.
  let closing = false
  const warnOnce = (why: string) => {
    if (warned) return
    warned = true
    process.emitWarning(`${warning.text}: its worker thread failed (${why})`, { code: warning.code })
  }
  const owns = (at: number) =>
    at >= from && at < to && (at - from) % chunk === 0 && workerTakes((at - from) / chunk, share)

  return {
    owns,
    async take(at: number): Promise<LeafChunk | undefined> {
      if (!owns(at)) throw new Error(`the leaf worker does not read the chunk at ${at}`)
      for (;;) {
        const c = ready.get(at)
        if (c !== undefined) {
          ready.delete(at)
          Atomics.add(flags, 0, 1)
          Atomics.notify(flags, 0)
          return c
        }
        // The thread failed, or ended without this chunk: the main thread reads it itself. The
        // worker only saves time; a thread that cannot start (a bundle without the worker's
        // file, a file it may not open) must not fail what the main thread can do.
        if (failed !== undefined || exited) {
          if (!closing) warnOnce(failed ?? 'the thread ended before its range did')
          return undefined
        }
        // An unref'd thread is held while a take() waits for it: else the process could exit
        // under a caller awaiting its seal.
        worker.ref()
        await new Promise<void>((resolve) => {
          waiting.push(resolve)
        })
        if (unref) worker.unref()
      }
    },
    async close(): Promise<void> {
      closing = true
      Atomics.store(flags, 1, 1)
      Atomics.notify(flags, 0)
      if (stopped) return
      worker.ref()
      await new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    },
  }
}

/**
 * Starts a worker thread that reads `share` of the chunks of seals of `[from, to)` (`chunk` seals
 * each, see {@link workerTakes}) with their entries from the SQLite `file`, on a read-only
 * connection of its own, and computes their leaves; `take` hands those chunks over as verify's
 * walk comes to them. The reads are the ones `Store.sealedRange` does, so the rows are the same;
 * only the hashing moved.
 */
export function startLeafReader(
  file: string,
  table: string,
  range: { readonly from: number; readonly to: number; readonly chunk: number; readonly share: number },
  toEntry: (row: Row) => Entry,
): ParallelSealed {
  const reader = startChunkReader(
    { mode: 'sealed', file, table, ...range },
    { text: 'verify walks on the main thread alone', code: 'auditkit_verify_worker' },
  )
  const rowsOf = (c: LeafChunk): WalkRow[] => {
    const rows: WalkRow[] = new Array(c.seqs.length)
    let leaf = 0
    let slow = 0
    for (let i = 0; i < rows.length; i++) {
      const kind = c.kinds[i]
      const row =
        kind === 0
          ? new ComputedLeaf(c.leaves.slice(32 * leaf, 32 * ++leaf))
          : kind === 1
            ? null
            : leafOfValues(toEntry, c.slow[slow++] as unknown[], 2, true)
      rows[i] = { seq: c.seqs[i] as number, uuid: c.uuids[i] as string, row, position: c.positions[i] }
    }
    return rows
  }

  return {
    owns: reader.owns,
    take: async (at) => {
      const c = await reader.take(at)
      if (c === undefined) return undefined
      return { rows: rowsOf(c), subtree: c.root === undefined ? undefined : { leaves: c.leaves, root: c.root } }
    },
    close: reader.close,
  }
}
