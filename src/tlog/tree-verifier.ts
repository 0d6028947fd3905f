import type { RowLeaf } from './entry-leaf.js'
import { MerkleFrontier } from './merkle-frontier.js'
import { HASH_SIZE } from './merkle-hash.js'
import { TextFrontier } from './text-frontier.js'

/**
 * What verification found wrong:
 * - `leaf_mismatch`: the entry at `seq` no longer hashes to the leaf sealed there (a field was
 *   changed, or two entries' sequence numbers were swapped);
 * - `entry_missing`: the seal at `seq` names an entry that is gone (deleted);
 * - `seq_gap`: no seal at `seq` (seals deleted or renumbered);
 * - `seq_out_of_range`: a seal outside 0..size-1 (forged or renumbered);
 * - `unsealed_entry`: an entry from before the sealed position without a seal (inserted afterwards,
 *   backdated into the sealed past);
 * - `root_mismatch`: the entries no longer give the root a checkpoint signed (something in the
 *   range before it was changed, inserted or removed);
 * - `truncated`: a checkpoint covers more entries than the log has (newest entries dropped);
 * - `bad_checkpoint`: a checkpoint that does not verify with the public key (the log was re-signed
 *   with another key, or the note was edited), is malformed, or names another log;
 * - `state_mismatch`: the sealer's stored tree head disagrees with the entries;
 * - `leaf_missing`: the stored leaf hashes for a seal are gone;
 * - `unreadable_entry`: a sealed row that is not an entry auditkit would write (raw SQL stored
 *   metadata that is not a JSON object, or not JSON at all, a date a Date cannot hold...). It was
 *   sealed as it is, by its stored text, and has not changed since; reads refuse it;
 * - `bad_line`: an exported line that is not an entry (verifyExport).
 */
export type VerifyProblemKind =
  | 'leaf_mismatch'
  | 'entry_missing'
  | 'seq_gap'
  | 'seq_out_of_range'
  | 'unsealed_entry'
  | 'root_mismatch'
  | 'truncated'
  | 'bad_checkpoint'
  | 'state_mismatch'
  | 'leaf_missing'
  | 'unreadable_entry'
  | 'bad_line'

/** One problem found by `verify` or `verifyExport`. */
export interface VerifyProblem {
  readonly kind: VerifyProblemKind
  /** The sequence number concerned (for a checkpoint: its tree size). */
  readonly seq?: number
  /** The entry concerned. */
  readonly uuid?: string
  readonly detail: string
}

/**
 * The outcome of `verify` or `verifyExport`. `ok` is true when no problem was found. `problems`
 * lists the first problems in log order (at most 1000; `problemsOmitted` counts the rest).
 */
export interface VerifyResult {
  readonly ok: boolean
  /** Sealed entries read and hashed. */
  readonly entries: number
  /** Checkpoints whose signature and root were checked. */
  readonly checkpointsChecked: number
  readonly problems: readonly VerifyProblem[]
  readonly problemsOmitted: number
  /** The size and root (base64) of the tree the entries give. */
  readonly treeSize: number
  readonly rootHash: string
  /** False when no public key was known, so stored checkpoints were checked for their roots only. */
  readonly signaturesChecked: boolean
  /**
   * The first seq read: 0, or the size of the trusted checkpoint `verify({ from })` went on from.
   * Entries before it were not read: a change to them is outside this result's range.
   */
  readonly fromSeq: number
}

/** A tree head a checkpoint vouches for, and how to name it in a problem. */
export interface ExpectedRoot {
  readonly size: number
  readonly rootHash: Uint8Array
  readonly label: string
  /** The sealer's own stored tree head rather than a signed checkpoint: reported as `state_mismatch`. */
  readonly state?: boolean
}

const MAX_PROBLEMS = 1000

/** A hash as the latin1 string the tree holds (see `sha256Text`). */
function textOf(hash: Uint8Array | string): string {
  if (typeof hash === 'string') return hash
  return (Buffer.isBuffer(hash) ? hash : Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength)).toString('latin1')
}

/**
 * Rebuilds the tree from entries fed in seq order, in constant memory (O(log n) hashes plus the
 * checkpoints to meet), and reports every disagreement: with the leaves stored at sealing, with
 * the sequence, and with each checkpoint's root when the tree reaches its size.
 */
export class TreeVerifier {
  readonly #tree: TextFrontier
  readonly #expected: ExpectedRoot[]
  readonly #problems: VerifyProblem[] = []
  #omitted = 0
  #next = 0
  #checked = 0
  #entries = 0
  #lastGood = 0

  /**
   * `checkpoints`: tree heads to meet, any order. `start`: the tree of a checkpoint already
   * verified, to go on from (incremental verification); checkpoints within it are not met again.
   */
  constructor(checkpoints: readonly ExpectedRoot[], start?: MerkleFrontier) {
    this.#tree = TextFrontier.of(start ?? new MerkleFrontier())
    this.#next = this.#tree.size
    this.#lastGood = this.#tree.size
    this.#expected = checkpoints.filter((cp) => cp.size > this.#tree.size).sort((a, b) => b.size - a.size)
    this.#meetCheckpoints()
  }

  /** Records a problem found outside the tree walk (checkpoint signatures, unsealed entries...). */
  report(problem: VerifyProblem): void {
    if (this.#problems.length < MAX_PROBLEMS) this.#problems.push(problem)
    else this.#omitted++
  }

  /** The number of leaves so far (the start's included). */
  get size(): number {
    return this.#tree.size
  }

  /** The leaf hashes so far. */
  get entries(): number {
    return this.#entries
  }

  /**
   * Feeds the seal at `seq`, naming `uuid`, with its row's leaf (null when the entry is gone) and
   * the leaf hash stored when it was sealed (undefined when there is none to compare with), as
   * bytes or as a latin1 string (`sha256Text`).
   */
  add(
    seq: number,
    uuid: string,
    row: Pick<RowLeaf, 'leaf' | 'leafText' | 'fallback' | 'unreadable'> | null,
    storedLeaf: Uint8Array | string | undefined,
  ): void {
    if (seq !== this.#next) {
      if (seq > this.#next) {
        const detail =
          seq === this.#next + 1
            ? `no seal at seq ${this.#next}`
            : `no seals at seq ${this.#next} to ${seq - 1} (${seq - this.#next} missing)`
        this.report({ kind: 'seq_gap', seq: this.#next, detail })
      } else {
        this.report({ kind: 'seq_out_of_range', seq, uuid, detail: `seq ${seq} is repeated or out of order` })
      }
    }
    this.#next = seq + 1
    if (row === null) {
      this.report({ kind: 'entry_missing', seq, uuid, detail: `the entry sealed at seq ${seq} (uuid ${uuid}) is gone` })
      this.#append(storedLeaf)
      return
    }
    this.#entries++
    const leaf = row.leafText ?? row.leaf.toString('latin1')
    if (storedLeaf !== undefined && leaf !== textOf(storedLeaf)) {
      const unreadable = row.fallback === undefined ? '' : ` and cannot be read (${row.unreadable})`
      this.report({
        kind: 'leaf_mismatch',
        seq,
        uuid,
        detail: `the entry at seq ${seq} (uuid ${uuid}) does not hash to the leaf sealed there${unreadable}: it was changed, or moved from another seq`,
      })
    } else if (row.unreadable !== undefined) {
      this.report({
        kind: 'unreadable_entry',
        seq,
        uuid,
        detail: `the entry at seq ${seq} (uuid ${uuid}) is not an entry auditkit writes (${row.unreadable}): raw SQL stored it so; it was sealed as it is and is unchanged since`,
      })
    }
    this.#append(leaf)
  }

  /**
   * Feeds a whole aligned chunk at once when nothing in it needs a word: `leaves` (32 latin1
   * characters each, concatenated) are those of the seals `from`, `from + 1`, ... in order, each
   * equal to its stored leaf (`stored`), and `root` is the root of the perfect subtree they form.
   * Appends that root instead of each leaf. Returns false, having done nothing, when the chunk is
   * not such (a gap, a mismatch, no checkpoint met inside it...): the caller then adds its seals
   * one by one.
   */
  addChunk(from: number, leaves: string, root: string, stored: (seq: number) => string | undefined): boolean {
    const count = leaves.length / HASH_SIZE
    const height = Math.log2(count)
    if (!Number.isInteger(height) || this.#next !== from || this.#tree.size !== from || from % count !== 0) return false
    // A checkpoint whose size falls inside the chunk needs the root at that size.
    const next = this.#expected.at(-1)
    if (next !== undefined && next.size < from + count) return false
    for (let i = 0; i < count; i++) {
      if (stored(from + i) !== leaves.slice(HASH_SIZE * i, HASH_SIZE * (i + 1))) return false
    }
    this.#next = from + count
    this.#entries += count
    this.#tree.pushSubtree(root, height)
    this.#meetCheckpoints()
    return true
  }

  /**
   * Passes over a seq that has no seal (already reported as a gap by the caller), appending the
   * leaf stored for it, if any, so that the positions after it still line up with checkpoints.
   */
  skip(seq: number, storedLeaf: Uint8Array | string | undefined): void {
    this.#next = seq + 1
    this.#append(storedLeaf)
  }

  // A missing leaf (entry and stored leaf both gone) is left out: later positions then shift,
  // which the next checkpoint reports.
  #append(leaf: Uint8Array | string | undefined): void {
    if (leaf === undefined) return
    this.#tree.push(textOf(leaf))
    this.#meetCheckpoints()
  }

  /** The root of the leaves so far. */
  root(): Buffer {
    return this.#tree.root()
  }

  /** Ends the walk: checkpoints beyond the tree's size mean the log was cut short. */
  finish(): { problems: VerifyProblem[]; omitted: number; checkpointsChecked: number } {
    for (const cp of this.#expected) {
      const detail = `${cp.label} covers ${cp.size} entries but the log has ${this.#tree.size}: entries were removed from its end`
      this.report({ kind: cp.state ? 'state_mismatch' : 'truncated', seq: cp.size, detail })
      if (!cp.state) this.#checked++
    }
    this.#expected.length = 0
    return { problems: [...this.#problems], omitted: this.#omitted, checkpointsChecked: this.#checked }
  }

  #meetCheckpoints(): void {
    for (let cp = this.#expected.at(-1); cp !== undefined && cp.size <= this.#tree.size; cp = this.#expected.at(-1)) {
      this.#expected.pop()
      if (!cp.state) this.#checked++
      if (cp.size < this.#tree.size) continue // met while skipping a gap: already reported
      if (this.root().equals(cp.rootHash)) {
        if (!cp.state) this.#lastGood = cp.size
        continue
      }
      const range = `an entry between seq ${this.#lastGood} and ${cp.size - 1} was changed, inserted or removed`
      this.report({
        kind: cp.state ? 'state_mismatch' : 'root_mismatch',
        seq: cp.size,
        detail: `${cp.label} has another root for ${cp.size} entries: ${range}`,
      })
    }
  }
}
