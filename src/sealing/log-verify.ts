import { z } from 'zod'
import { AuditLogError, ValidationError } from '../errors.js'
import { parseOrThrow } from '../schema/issues.js'
import { inSlices, nextTurn } from '../slices.js'
import type { ParallelSealed, Store, TakenChunk, WalkRow } from '../store/store.js'
import { type KeySet, openCheckpoint, toTrustedKeys } from '../tlog/keys.js'
import { MerkleFrontier } from '../tlog/merkle-frontier.js'
import { HASH_SIZE } from '../tlog/merkle-hash.js'
import { perfectSubtrees } from '../tlog/merkle-nodes.js'
import { encodeHash } from '../tlog/proofs.js'
import { frontierOf } from '../tlog/seal-batch.js'
import { MissingNodeError, nodeGetter, TILE_WIDTH, type Tile, tilesFor } from '../tlog/tiles.js'
import { type ExpectedRoot, TreeVerifier, type VerifyProblem, type VerifyResult } from '../tlog/tree-verifier.js'
import type { TrustedKeyInput } from '../tlog/verifier-keys.js'
import { expectedRoot } from './checkpoint-check.js'
import { countPastBeside, PastFlagTally, pastAllSealed, SealedPastTally } from './sealed-past.js'

/** Progress of a running `verify`. */
export interface VerifyProgress {
  /** Seals read so far. */
  readonly entries: number
  /** Seals in the log when verification began. */
  readonly total: number
}

/**
 * The options of `verify`.
 *
 * @example
 * await audit.verify({ checkpoints: [savedNote], publicKey: fs.readFileSync('audit.pub', 'utf8') })
 */
export interface VerifyOptions {
  /** Signed checkpoints kept outside the database (notes, as `checkpoint()` returned them). */
  checkpoints?: readonly string[] | undefined
  /**
   * The keys checkpoints may be signed by: one or a list (every key the log signed with, across
   * rotations), each a PEM public key, a KeyObject, a C2SP verifier key or `{ name?, publicKey }`.
   * Every checkpoint must be signed by one of them. Defaults to the log's own keys (the public half
   * of `signingKey` and its `trustedKeys`). With none, stored checkpoints are checked for their
   * roots only (`signaturesChecked: false`).
   */
  publicKey?: KeySet | undefined
  /**
   * A signed checkpoint already verified (by an earlier `verify()`, kept outside the database):
   * only what was sealed after it is read and hashed, on the tree the stored nodes give at its size,
   * which must be its root (the log extends it). Entries before it are not read (`fromSeq` in the
   * result). Needs a key.
   */
  from?: string | undefined
  /** Stops a long verify: it rejects with an AuditLogError whose code is `aborted`. */
  signal?: AbortSignal | undefined
  /** Called after each batch of entries. */
  onProgress?: ((progress: VerifyProgress) => void) | undefined
}

/**
 * Seals verify reads per query: one leaf tile. A chunk's rows stay alive while they are hashed
 * (and the next chunks' while they are read ahead), and every young-generation collection copies
 * them: at 8 tiles the collector took a sixth of verify. One tile: 1,000,000 entries, SQLite
 * 212-218k -> 248-258k entries/s, PostgreSQL 122-126k -> 160-167k (BENCHMARKS.md, issue 12).
 */
export const VERIFY_CHUNK = TILE_WIDTH
/** Chunks between two turns of the event loop in verify's walk: about as many rows as a slice. */
const CHUNKS_PER_TURN = 2
const UNSEALED_SHOWN = 100

/**
 * When verify hands part of its walk to a worker thread (a SQLite file): from `minEntries` entries
 * to verify, the worker reads and hashes `workerShare` of the chunks after the first
 * `leadEntries`, spread evenly, while the main thread reads and hashes the others; for the
 * worker's chunks the main thread only compares and appends the leaves. The main thread walks the
 * first `leadEntries` alone while the thread starts (130-160 ms from dist/, about 220 ms under
 * tsx). Below `minEntries` starting a thread costs more than it saves.
 */
export const VERIFY_PARALLEL = { minEntries: 65_536, workerShare: 0.6, leadEntries: 32_768 }

interface Chunk {
  readonly rows: WalkRow[]
  readonly tiles: Map<number, Buffer>
  /** From the worker thread: the chunk's leaves and subtree root (see `TreeVerifier.addChunk`). */
  readonly subtree?: TakenChunk['subtree']
}

/** Leaf tiles read in one query by verify's walk: 8 (64 KiB), a round trip for 2,048 seals. */
const TILES_PER_READ = 8

/**
 * The stored leaf tiles of `[from, to)`, for a walk that asks in seq order up to `end`: read
 * {@link TILES_PER_READ} at a time and kept until the walk has passed them (a round trip a chunk
 * cost PostgreSQL's verify a fifth of its time).
 */
function leafTiles(store: Store, end: number): (from: number, to: number) => Promise<Map<number, Buffer>> {
  const groups = new Map<number, Promise<Map<number, Buffer>>>()
  const group = (g: number) => {
    let read = groups.get(g)
    if (read === undefined) {
      const keys = []
      for (let i = g * TILES_PER_READ; i < (g + 1) * TILES_PER_READ && i * TILE_WIDTH < end; i++)
        keys.push({ level: 0, index: i })
      read = store.tiles(keys).then((tiles) => new Map(tiles.map((t: Tile) => [t.index, t.hashes])))
      groups.set(g, read)
      groups.delete(g - 2)
    }
    return read
  }
  return async (from, to) => {
    const first = Math.floor(Math.floor(from / TILE_WIDTH) / TILES_PER_READ)
    const last = Math.floor(Math.floor((to - 1) / TILE_WIDTH) / TILES_PER_READ)
    if (first === last) return group(first)
    const tiles = new Map<number, Buffer>()
    for (let g = first; g <= last; g++) for (const [index, hashes] of await group(g)) tiles.set(index, hashes)
    return tiles
  }
}

async function readChunk(
  store: Store,
  from: number,
  to: number,
  parallel: ParallelSealed | undefined,
  tilesOf: (from: number, to: number) => Promise<Map<number, Buffer>>,
): Promise<Chunk> {
  const rows: Promise<TakenChunk> = parallel?.owns(from)
    ? parallel.take(from).then(async (taken) => taken ?? { rows: await store.sealedRange(from, to) })
    : store.sealedRange(from, to).then((read) => ({ rows: read }))
  const [taken, tiles] = await Promise.all([rows, tilesOf(from, to)])
  return { ...taken, tiles }
}

// The worker's share of the walk's chunks over [start, end), where the store has one to give.
function parallelFrom(store: Store, start: number, end: number): ParallelSealed | undefined {
  if (end - start < VERIFY_PARALLEL.minEntries || VERIFY_PARALLEL.workerShare <= 0) return undefined
  const from = start + Math.ceil(VERIFY_PARALLEL.leadEntries / VERIFY_CHUNK) * VERIFY_CHUNK
  if (from >= end) return undefined
  return store.parallelSealed?.(from, end, VERIFY_CHUNK, VERIFY_PARALLEL.workerShare)
}

// As a latin1 string, the form the walk compares and appends (no Buffer per entry).
function storedLeaf(tiles: Map<number, Buffer>, seq: number): string | undefined {
  const hashes = tiles.get(Math.floor(seq / TILE_WIDTH))
  const at = (seq % TILE_WIDTH) * HASH_SIZE
  return hashes === undefined || hashes.length < at + HASH_SIZE
    ? undefined
    : hashes.toString('latin1', at, at + HASH_SIZE)
}

// Like every options object of the log, unknown keys are refused.
const verifyOptionsSchema = z.strictObject({
  checkpoints: z.array(z.string(), { error: 'must be an array of signed checkpoint notes (strings)' }).optional(),
  publicKey: z.unknown().optional(),
  from: z.string({ error: 'must be a signed checkpoint note (a string)' }).optional(),
  signal: z
    .custom<AbortSignal>(
      (v) => typeof v === 'object' && v !== null && typeof (v as AbortSignal).aborted === 'boolean',
      {
        error: 'must be an AbortSignal',
      },
    )
    .optional(),
  onProgress: z
    .custom<(progress: VerifyProgress) => void>((v) => typeof v === 'function', {
      error: 'must be a function',
    })
    .optional(),
})

interface CheckedOptions extends VerifyOptions {
  readonly keys: readonly TrustedKeyInput[] | undefined
}

function checkOptions(options: unknown, ownKeys: readonly TrustedKeyInput[] | undefined): CheckedOptions {
  const o = parseOrThrow(verifyOptionsSchema, options) as VerifyOptions
  // A bad key is the caller's mistake, not a problem of the log: refuse it before reading anything.
  const keys = o.publicKey === undefined ? ownKeys : toTrustedKeys(o.publicKey)
  if (o.from !== undefined && keys === undefined) {
    throw new ValidationError([
      { field: 'from', message: "needs a key to check it with (publicKey, or the log's signingKey)" },
    ])
  }
  return { ...o, keys }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AuditLogError('verify was aborted', { cause: signal.reason, code: 'aborted' })
}

/**
 * The tree at a trusted checkpoint, from the stored nodes: its root must be the checkpoint's, or
 * the log no longer extends it. Reports why not and answers undefined.
 */
async function trustedStart(
  store: Store,
  note: string,
  keys: readonly TrustedKeyInput[],
  origin: string,
  report: (problem: VerifyProblem) => void,
): Promise<MerkleFrontier | undefined> {
  let size: number
  let rootHash: Uint8Array
  try {
    ;({ size, rootHash } = openCheckpoint(note, keys, { origin }))
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    throw new ValidationError([
      { field: 'from', message: `is not a checkpoint of this log signed by a trusted key: ${why}` },
    ])
  }
  const ids = perfectSubtrees(0, size)
  try {
    const start = MerkleFrontier.fromNodes(size, nodeGetter(await store.tiles(tilesFor(ids))))
    if (start.root().equals(rootHash)) return start
  } catch (error) {
    if (!(error instanceof MissingNodeError)) throw error
  }
  report({
    kind: 'root_mismatch',
    seq: size,
    detail: `the stored tree no longer gives the root of the trusted checkpoint (${size} entries): the log before it was rewritten; run a full verify()`,
  })
  return undefined
}

/**
 * Entries per statement of verify's scan for entries without a seal: small enough that no
 * statement grows with the log (a statement_timeout) and a synchronous SQLite chunk stays short.
 */
export const SCAN_CHUNK = 4096

/** Every stored checkpoint, oldest first, as the roots it vouches for. */
async function storedCheckpoints(
  store: Store,
  keys: readonly TrustedKeyInput[] | undefined,
  origin: string,
  report: (problem: VerifyProblem) => void,
): Promise<ExpectedRoot[]> {
  const expected: ExpectedRoot[] = []
  for (let after = 0; ; ) {
    const stored = await store.checkpoints(after, 1000)
    for (const row of stored) {
      const label = `stored checkpoint #${row.id}`
      const cp = expectedRoot(row.note, label, keys, origin, report)
      if (cp === undefined) continue
      if (cp.size !== row.size || !row.rootHash.equals(cp.rootHash)) {
        report({ kind: 'bad_checkpoint', seq: cp.size, detail: `${label}: its columns disagree with its note` })
      }
      expected.push(cp)
    }
    if (stored.length < 1000) return expected
    after = (stored.at(-1) as { id: number }).id
  }
}

/** Reads every seal from 0 to `end` in seq order with its entry and feeds them to the walk. */
async function walkSeals(
  store: Store,
  walk: TreeVerifier,
  start: number,
  end: number,
  signal: AbortSignal | undefined,
  onProgress: (entries: number) => void,
  tally: { see(row: WalkRow): void } | undefined,
): Promise<void> {
  let read = 0
  let chunks = 0
  // Two chunks ahead: the store hashes a chunk's rows as they arrive, so the server reads the next
  // chunk while this process hashes the one before.
  const ahead: Promise<Chunk>[] = []
  let requested = start
  const parallel = parallelFrom(store, start, end)
  const tilesOf = leafTiles(store, end)
  const request = () => {
    if (requested >= end) return
    ahead.push(readChunk(store, requested, Math.min(requested + VERIFY_CHUNK, end), parallel, tilesOf))
    requested += VERIFY_CHUNK
  }
  try {
    request()
    request()
    await walkChunks()
  } finally {
    // Reads asked for ahead and never awaited: their failure is not the walk's.
    for (const chunk of ahead) chunk.catch(() => {})
    await parallel?.close()
  }

  // A chunk's seals one by one: gaps, missing leaves and each leaf checked (TreeVerifier.add).
  async function walkRows(chunk: Chunk, from: number): Promise<void> {
    let at = from
    const gapTo = (seq: number) => {
      if (seq <= at) return
      const detail =
        seq === at + 1 ? `no seal at seq ${at}` : `no seals at seq ${at} to ${seq - 1} (${seq - at} missing)`
      walk.report({ kind: 'seq_gap', seq: at, detail })
      for (; at < seq; at++) walk.skip(at, storedLeaf(chunk.tiles, at))
    }
    await inSlices(chunk.rows.length, (i) => {
      const row = chunk.rows[i] as WalkRow
      gapTo(row.seq)
      const leaf = storedLeaf(chunk.tiles, row.seq)
      if (leaf === undefined) {
        walk.report({
          kind: 'leaf_missing',
          seq: row.seq,
          uuid: row.uuid,
          detail: `no leaf hash stored for seq ${row.seq}`,
        })
      }
      walk.add(row.seq, row.uuid, row.row, leaf)
      tally?.see(row)
      at = row.seq + 1
    })
    gapTo(Math.min(from + VERIFY_CHUNK, end))
  }

  async function walkChunks(): Promise<void> {
    for (let from = start; ahead.length > 0; from += VERIFY_CHUNK) {
      throwIfAborted(signal)
      const chunk = await (ahead.shift() as Promise<Chunk>)
      request()
      const { subtree } = chunk
      // A worker's whole chunk that matches its stored leaves goes in as one subtree root.
      const whole =
        subtree !== undefined &&
        walk.addChunk(from, subtree.leaves, subtree.root, (seq) => storedLeaf(chunk.tiles, seq))
      if (whole && tally !== undefined) for (const row of chunk.rows) tally.see(row)
      if (!whole) await walkRows(chunk, from)
      read += chunk.rows.length
      onProgress(read)
      // A chunk is fewer rows than a slice, and SQLite answers without I/O: without a turn the whole
      // walk would run as one chain of promise callbacks, holding the host's event loop. A turn
      // every second chunk: one after every chunk measured 10-20% slower in the benchmark.
      if (++chunks % CHUNKS_PER_TURN === 0) await nextTurn()
    }
  }
}

/**
 * Scans every entry, a chunk at a time, for entries in the sealed past without a seal (slipped in
 * afterwards) and, on SQLite, sealed entries after the sealed position (the position was moved
 * back). Returns the problems rather than reporting them: it runs beside the walk of the seals.
 */
async function scanForUnsealed(store: Store, signal: AbortSignal | undefined): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = []
  let shown = 0
  let sealedAfter = 0
  const report = (uuid: string) => {
    if (shown++ >= UNSEALED_SHOWN) return
    problems.push({
      kind: 'unsealed_entry',
      uuid,
      detail: `entry ${uuid} lies before the sealed position but has no seal: it was inserted into the sealed past`,
    })
  }
  // Up to the last entry now: entries written meanwhile are not chased (they are not in the
  // sealed past of any state verify compares with).
  const upTo = await store.lastEntryKey()
  for (let after: readonly unknown[] | null = null; upTo !== null; ) {
    throwIfAborted(signal)
    const chunk = await store.scanEntries(after, upTo, SCAN_CHUNK)
    for (const entry of chunk.misplaced) {
      if (entry.past) report(entry.uuid)
      else sealedAfter++
    }
    if (chunk.count < SCAN_CHUNK || chunk.last === null) break
    after = chunk.last
    // SQLite answers without I/O: a turn between chunks, or the scan holds the event loop.
    await nextTurn()
  }
  // SQLite seals in rowid order: a sealed entry after the sealed position means the position was
  // moved back; then every entry without a seal before the last sealed one was slipped in too.
  if (store.sealsAhead || sealedAfter === 0) return problems
  problems.push({
    kind: 'state_mismatch',
    detail: `${sealedAfter} sealed entries lie after the sealer's stored position: the state row was moved back`,
  })
  for (const uuid of await store.unsealed(UNSEALED_SHOWN)) report(uuid)
  return problems
}

/**
 * Verifies a log's store: reads every seal in seq order with its entry (a chunk at a time, the
 * next one read while this one is hashed), recomputes each leaf from the stored fields, compares
 * it with the leaf stored at sealing, rebuilds the tree and meets every stored checkpoint and every
 * one passed in. Then compares the tree with the sealer's state and looks for entries that should
 * have a seal and have none. The checkpoints are read before the state: sealing only grows the
 * tree, so every checkpoint read is then within the state's size, however others seal and sign
 * meanwhile. No statement grows with the log.
 */
export async function verifyStore(
  store: Store,
  origin: string,
  ownKeys: readonly TrustedKeyInput[] | undefined,
  rawOptions: unknown,
): Promise<VerifyResult> {
  const options = checkOptions(rawOptions ?? {}, ownKeys)
  const { keys, signal } = options
  throwIfAborted(signal)
  const early: VerifyProblem[] = []
  const report = (problem: VerifyProblem) => early.push(problem)
  const expected = await storedCheckpoints(store, keys, origin, report)
  for (const [i, note] of (options.checkpoints ?? []).entries()) {
    const cp = expectedRoot(note, `checkpoint ${i} passed in`, keys, origin, report)
    if (cp !== undefined) expected.push(cp)
  }
  const start =
    options.from === undefined
      ? undefined
      : await trustedStart(store, options.from, keys as readonly TrustedKeyInput[], origin, report)
  const [range, state, past] = await Promise.all([store.sealRange(), store.sealState(), store.sealedPosition()])
  // The sealer's state is met like a checkpoint, at its own size: seals committed after it was
  // read (sealing goes on while verify runs) are then no false alarm.
  expected.push({
    size: state.size,
    rootHash: frontierOf(state).root(),
    label: "the sealer's stored tree head",
    state: true,
  })
  const walk = new TreeVerifier(expected, start)
  const fromSeq = walk.size
  for (const problem of early) walk.report(problem)

  if (range.minSeq !== null && range.minSeq < 0) {
    for (const row of await store.sealedRange(range.minSeq, 0)) {
      walk.report({
        kind: 'seq_out_of_range',
        seq: row.seq,
        uuid: row.uuid,
        detail: `a seal with negative seq ${row.seq}`,
      })
    }
  }
  const end = Math.max(state.size, (range.maxSeq ?? -1) + 1)
  // The stored nodes can still give the trusted checkpoint's root after the entries and seals
  // past the sealer's state were cut off: the walk would have nothing to read.
  if (end < fromSeq) {
    walk.report({
      kind: 'truncated',
      seq: fromSeq,
      detail: `the trusted checkpoint covers ${fromSeq} entries but the log has ${end}: entries were removed from its end`,
    })
  }
  // Where sealing follows a position (SQLite), a walk of every seal from 0 against the state it
  // was read with can show the sealed past complete, with a count instead of a scan of every
  // entry (the scan, 0.6 us an entry, was a tenth of verify there).
  const whole = fromSeq === 0 && end === state.size
  const tally = past !== null && past.size === state.size && whole ? new SealedPastTally(past) : undefined
  // Where the store flags the sealed past (PostgreSQL), the walk counts the seals there, and a
  // count of the entries there replaces the scan.
  const flags = tally === undefined && whole && store.countsPast === true ? new PastFlagTally(state.size) : undefined
  const checkAbort = () => throwIfAborted(signal)
  const counting = flags === undefined ? undefined : await countPastBeside(store, checkAbort)
  // Otherwise the scan runs beside the walk: on PostgreSQL the server scans while this process hashes.
  const scanning = tally === undefined && flags === undefined ? scanForUnsealed(store, signal) : undefined
  // Handled at once (its failure is thrown below, after the walk), never an unhandled rejection.
  const scanned = scanning?.catch(() => {})
  try {
    await walkSeals(
      store,
      walk,
      fromSeq,
      end,
      signal,
      (entries) => options.onProgress?.({ entries, total: end - fromSeq }),
      tally ?? flags,
    )
  } catch (error) {
    await scanned
    throw error
  }
  const root = walk.root()
  let unsealed: VerifyProblem[]
  if (scanning !== undefined) unsealed = await scanning
  else if (tally !== undefined && (await pastAllSealed(store, tally, checkAbort))) unsealed = []
  else if (flags !== undefined && counting !== undefined && (await counting.finish(flags))) unsealed = []
  else unsealed = await scanForUnsealed(store, signal)
  for (const problem of unsealed) walk.report(problem)
  const { problems, omitted, checkpointsChecked } = walk.finish()
  return {
    ok: problems.length === 0,
    entries: walk.entries,
    checkpointsChecked,
    problems,
    problemsOmitted: omitted,
    treeSize: walk.size,
    rootHash: encodeHash(root),
    signaturesChecked: keys !== undefined,
    fromSeq,
  }
}
