import { IntegrityError } from '../errors.js'
import type { SealedRow, Store, StoredCheckpoint } from '../store/store.js'
import { encodeHash } from '../tlog/proofs.js'

const EXPORT_BATCH = 2000

/**
 * A range of positions in the sealed tree: `fromSeq` (default 0) up to `toSeq`, exclusive
 * (default: the sealed size).
 *
 * @example
 * audit.exportLog({ fromSeq: 1000, toSeq: 2000 })
 */
export interface SeqRange {
  fromSeq?: number | undefined
  toSeq?: number | undefined
}

/**
 * A signed checkpoint: the note (C2SP signed note in tlog-checkpoint form, the part to copy out
 * of the database) and what it says.
 */
export interface SignedCheckpoint {
  /** The signed note: origin, tree size, base64 root hash, a blank line, the signature line. */
  readonly note: string
  readonly origin: string
  readonly treeSize: number
  /** The RFC 6962 root hash, base64. */
  readonly rootHash: string
  readonly createdAt: Date
}

/** A stored checkpoint as the API hands it out (its origin read from the note's first line). */
export function signedCheckpoint(stored: StoredCheckpoint): SignedCheckpoint {
  const origin = stored.note.slice(0, Math.max(0, stored.note.indexOf('\n')))
  return Object.freeze({
    note: stored.note,
    origin,
    treeSize: stored.size,
    rootHash: encodeHash(stored.rootHash),
    createdAt: stored.createdAt,
  })
}

/**
 * The seals in [fromSeq, toSeq) (toSeq clipped to the sealed size when the iteration starts), a
 * batch per query, each query run through `run` (the log's bookkeeping); a seal whose entry is gone
 * throws an IntegrityError (`entry_missing`).
 */
export function sealedRows(
  store: Store,
  range: SeqRange,
  run: <T>(fn: () => Promise<T>) => Promise<T>,
): AsyncIterableIterator<SealedRow> {
  return (async function* rows() {
    const { size } = await run(() => store.sealState())
    const end = Math.min(range.toSeq ?? size, size)
    for (let from = range.fromSeq ?? 0; from < end; from += EXPORT_BATCH) {
      const to = Math.min(from + EXPORT_BATCH, end)
      for (const sealed of await run(() => store.sealedRange(from, to))) {
        if (sealed.row === null) {
          throw new IntegrityError(
            'entry_missing',
            `the entry sealed at seq ${sealed.seq} (uuid ${sealed.uuid}) is gone: run verify()`,
          )
        }
        yield sealed
      }
    }
  })()
}
