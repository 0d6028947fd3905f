import { z } from 'zod'
import type { DefaultAction } from './actions.js'
import {
  type ApiKeyInfo,
  type CreateApiKeyOptions,
  type CreatedApiKey,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  verifyApiKey,
} from './api-keys.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import type {
  Entry,
  IterateOptions,
  ListOptions,
  LogEntryInput,
  LogFilters,
  Page,
  PageOptions,
  Paging,
  PasswordChangeInput,
} from './entry.js'
import { NotFoundError, StoreError, ValidationError, type ValidationIssue } from './errors.js'
import {
  checkIdempotency,
  type IdempotencyOptions,
  type IdempotentResult,
  IdempotentWriter,
  idempotencyKeySchema,
} from './idempotency.js'
import { InFlight } from './in-flight.js'
import type { ResolvedOptions, UsingHandle } from './options.js'
import { pagedIterator } from './paged-iterator.js'
import { toStoreFilters } from './parse-filters.js'
import { type CheckedInput, prepareEntry } from './prepare-entry.js'
import { entryInputChecker, entryInputSchema, passwordChangeSchema } from './schema/entry-schema.js'
import { entryUuidSchema, isEntryUuid, type UserIdFormat } from './schema/fields.js'
import { parseOrThrow, toIssues } from './schema/issues.js'
import { DEFAULT_LIMIT, querySchemas } from './schema/query-schema.js'
import { exportRangeSchema, listCheckpointsSchema, readSealedSchema } from './schema/seq-range-schema.js'
import { signCheckpoint } from './sealing/log-checkpoint.js'
import { proveConsistencyOf, proveInclusionAt } from './sealing/log-proofs.js'
import { type SeqRange, type SignedCheckpoint, sealedRows, signedCheckpoint } from './sealing/log-reads.js'
import { LogSealer, type SealResult } from './sealing/log-sealer.js'
import { type VerifyOptions, verifyStore } from './sealing/log-verify.js'
import { inSlices } from './slices.js'
import type { Position, Store, StoredEntry, StoreFilters } from './store/store.js'
import type { RowLeaf } from './tlog/entry-leaf.js'
import { exportRowLine } from './tlog/export-line.js'
import type { ConsistencyProof, InclusionProof } from './tlog/proofs.js'
import { encodeHash } from './tlog/proofs.js'
import { frontierOf } from './tlog/seal-batch.js'
import type { VerifyResult } from './tlog/tree-verifier.js'

const PASSWORD_RESET = 'admin_password_reset'
const DEFAULT_BATCH = 500

export type { SeqRange, SignedCheckpoint }

interface Schemas {
  readonly entry: ReturnType<typeof entryInputSchema>
  /** The entry schema's fast path for well-formed writes. */
  readonly checkEntry: ReturnType<typeof entryInputChecker>
  readonly passwordChange: ReturnType<typeof passwordChangeSchema>
  readonly query: ReturnType<typeof querySchemas>
}

function buildSchemas(o: ResolvedOptions): Schemas {
  return {
    entry: entryInputSchema(o.actions, o.userIdFormat),
    checkEntry: entryInputChecker(o.actions, o.userIdFormat),
    passwordChange: passwordChangeSchema(o.actions, o.userIdFormat),
    query: querySchemas(o.actions, o.userIdFormat),
  }
}

/**
 * The zod schemas a log checks its inputs with, built for its actions and user id format: `entry`
 * (one write), `page` (`pageLogs` options), `count` (`countLogs` filters), `iterate` (`iterateLogs`
 * options), `idempotencyKey` (`createLogEntriesOnce`), `exportRange` (`exportLog`). For describing the inputs elsewhere (an OpenAPI document, a form) from the very
 * schemas that check them. Their date filters also take a `Date`.
 */
export interface InputSchemas {
  readonly entry: Schemas['entry']
  readonly page: Schemas['query']['page']
  readonly count: Schemas['query']['count']
  readonly iterate: Schemas['query']['iterate']
  /** The idempotency key of `createLogEntriesOnce`. */
  readonly idempotencyKey: typeof idempotencyKeySchema
  /** The range `exportLog` takes (`{ fromSeq?, toSeq? }`). */
  readonly exportRange: typeof exportRangeSchema
}

/** The sealed tree's head, unsigned. */
export interface TreeHead {
  readonly treeSize: number
  /** The RFC 6962 root hash, base64. */
  readonly rootHash: string
}

/** How far sealing is behind (see `sealLag()`). */
export interface SealLag {
  /** Entries committed and not sealed yet. */
  readonly entries: number
  /** Seconds since the oldest of them was written; 0 when there are none. */
  readonly seconds: number
}

/** What a log made by `using()` shares with the log it came from. */
interface Shared {
  readonly root: Store
  readonly sealer: LogSealer
  /** Operations under way on the root log and every log `using()` made from it. */
  readonly inFlight: InFlight
  /** Idempotent writes (when it last purged expired keys). */
  readonly idempotent: IdempotentWriter
  /** Set when the root log closes: the logs made from it close with it. */
  closed: boolean
}

/**
 * The options of `close()`.
 *
 * @example
 * await audit.close({ seal: false }) // leave sealing to another process
 */
export interface CloseOptions {
  /**
   * Seal the entries committed so far before closing (default true), so that a short-lived
   * process leaves nothing unsealed. Skipped when another process is sealing at that moment (it
   * seals them); a failure goes to `onSealError` and does not stop the close.
   */
  seal?: boolean | undefined
}

const closeOptionsSchema = z.strictObject({ seal: z.boolean().optional() })

/** The most entries one `createLogEntries` call takes. */
export const MAX_BATCH_ENTRIES = 10_000

function positionOf(entry: Entry): Position {
  return { insertedAt: entry.insertedAt, uuid: entry.uuid }
}

/**
 * An audit log: write entries, read them back, count them, page through them. Made by
 * `createAuditLog`; `using(tx)` makes one that works inside the caller's transaction.
 * `A` is the union of the log's allowed actions.
 *
 * Every method checks its input first: bad input rejects with a ValidationError and writes
 * nothing. A database failure rejects with a StoreError. Nothing fails silently.
 */
export class AuditLog<A extends string = DefaultAction> {
  readonly #store: Store
  readonly #options: ResolvedOptions
  readonly #schemas: Schemas
  readonly #shared: Shared
  /** Operations under way on this log; the root log's counts those of its using() logs too. */
  readonly #inFlight: InFlight
  #closing: Promise<void> | undefined

  /** @internal Use `createAuditLog`. */
  constructor(store: Store, options: ResolvedOptions, schemas?: Schemas, shared?: Shared) {
    this.#store = store
    this.#options = options
    this.#schemas = schemas ?? buildSchemas(options)
    this.#shared = shared ?? {
      root: store,
      sealer: new LogSealer(store, options.sealBatchSize, options.sealIntervalMs, options.onSealError),
      inFlight: new InFlight(),
      idempotent: new IdempotentWriter(),
      closed: false,
    }
    this.#inFlight = shared === undefined ? this.#shared.inFlight : new InFlight(this.#shared.inFlight)
  }

  /** @internal Starts background sealing (createAuditLog does, after migrating). */
  startSealing(): void {
    this.#shared.sealer.start()
  }

  /** The engine behind this log. */
  get engine(): 'sqlite' | 'postgres' {
    return this.#store.engine
  }

  /** How user ids are checked and stored: `'uuid'` (lowercase) or `'string'` (the `userIdFormat` option). */
  get userIdFormat(): UserIdFormat {
    return this.#options.userIdFormat
  }

  /** The log's name in its checkpoints (the `origin` option; default `auditkit/<table>`). */
  get origin(): string {
    return this.#options.origin
  }

  /**
   * The public half of the log's `signingKey` as SPKI PEM, or null when it has none: what
   * `verifyCheckpoint`, `verifyInclusion` and `auditkit verify-proof` check its checkpoints with.
   * Publish it; pin it on the verifying side rather than trusting whatever the log serves.
   *
   * @example
   * verifyInclusion(proof, checkpointNote, audit.publicKey ?? '')
   */
  get publicKey(): string | null {
    return this.#options.publicKeyPem ?? null
  }

  /**
   * The C2SP verifier key (`<origin>+<key id>+<base64>`) of the log's `signingKey`, or null when it
   * has none: the same key as {@link publicKey} in the form signed-note tools take.
   *
   * @example
   * console.log(audit.verifierKey) // 'auditkit/auditkit_entries+1a2b3c4d+AU...'
   */
  get verifierKey(): string | null {
    return this.#options.signer?.verifierKey ?? null
  }

  /**
   * The zod schemas this log checks its inputs with (see {@link InputSchemas}).
   *
   * @example
   * import { z } from 'zod'
   * const jsonSchema = z.toJSONSchema(audit.inputSchemas.entry, { io: 'input', unrepresentable: 'any' })
   */
  get inputSchemas(): InputSchemas {
    const { entry, query } = this.#schemas
    return {
      entry,
      page: query.page,
      count: query.count,
      iterate: query.iterate,
      idempotencyKey: idempotencyKeySchema,
      exportRange: exportRangeSchema,
    }
  }

  /** The allowed actions. */
  get actions(): readonly A[] {
    return this.#options.actions as unknown as readonly A[]
  }

  /**
   * Logs a password change done by an admin. `action` defaults to `admin_password_reset`.
   *
   * @example
   * await audit.logPasswordChange({ targetUserUuid: user.id, adminUserUuid: admin.id, ipAddress: req.ip, userAgent: req.headers['user-agent'] })
   */
  logPasswordChange(input: PasswordChangeInput<A>): Promise<Entry<A>> {
    return this.#run('logPasswordChange', async () => {
      const checked = parseOrThrow(this.#schemas.passwordChange, input)
      if (checked.action === undefined && !this.#options.actions.includes(PASSWORD_RESET)) {
        throw new ValidationError([
          { field: 'action', message: `is required: '${PASSWORD_RESET}' is not an allowed action` },
        ])
      }
      return this.#write({ ...checked, action: checked.action ?? PASSWORD_RESET })
    })
  }

  /**
   * Logs one action. Resolves once the entry is committed.
   *
   * @example
   * const entry = await audit.createLogEntry({ targetUserUuid, adminUserUuid, action: 'user_locked', metadata: { reason: 'chargeback' } })
   */
  createLogEntry(input: LogEntryInput<A>): Promise<Entry<A>> {
    return this.#run('createLogEntry', async () =>
      this.#write(this.#schemas.checkEntry(input) ?? parseOrThrow(this.#schemas.entry, input)),
    )
  }

  /**
   * Logs several actions atomically: all are committed, or none (and a ValidationError names
   * every bad field as `[index].field`). At most {@link MAX_BATCH_ENTRIES} (10,000) per call.
   *
   * @example
   * await audit.createLogEntries(users.map((u) => ({ targetUserUuid: u.id, adminUserUuid, action: 'user_deleted' })))
   */
  createLogEntries(inputs: readonly LogEntryInput<A>[]): Promise<Entry<A>[]> {
    return this.#run('createLogEntries', async () => {
      const prepared = await this.#prepareBatch(inputs)
      await this.#store.insert(prepared)
      return prepared.map((p) => p.entry as Entry<A>)
    })
  }

  /**
   * Logs several actions atomically, once per idempotency key: the first call with a key writes
   * the entries and the key's record in one transaction (so a crash leaves both or neither); a
   * later call with the same key and the same entries, within 24 hours, writes nothing and
   * resolves to the entries of the first (`replayed: true`); with other entries it rejects with a
   * ConflictError. Concurrent calls with one key write once. For retries that must not log twice:
   * a client that timed out, a queue that redelivers.
   *
   * @example
   * const { entries, replayed } = await audit.createLogEntriesOnce(`reset:${requestId}`, [{ targetUserUuid, adminUserUuid, action: 'admin_password_reset' }])
   */
  createLogEntriesOnce(
    idempotencyKey: string,
    inputs: readonly LogEntryInput<A>[],
    options: IdempotencyOptions = {},
  ): Promise<IdempotentResult<A>> {
    return this.#run('createLogEntriesOnce', async () => {
      const checked = checkIdempotency(idempotencyKey, options)
      const prepared = await this.#prepareBatch(inputs)
      return (await this.#shared.idempotent.write(
        this.#store,
        checked.key,
        prepared,
        checked.options,
      )) as IdempotentResult<A>
    })
  }

  // Checks every entry of a batch (naming bad fields `[i].field`) and prepares them for the store.
  async #prepareBatch(inputs: readonly LogEntryInput<A>[]): Promise<StoredEntry[]> {
    if (!Array.isArray(inputs)) throw new ValidationError([{ field: 'entries', message: 'must be an array' }])
    if (inputs.length > MAX_BATCH_ENTRIES) {
      throw new ValidationError([
        { field: 'entries', message: `must hold at most ${MAX_BATCH_ENTRIES} entries (got ${inputs.length})` },
      ])
    }
    const issues: ValidationIssue[] = []
    const prepared: StoredEntry[] = []
    // Checking an entry costs microseconds: a large batch lets the event loop turn between slices.
    await inSlices(inputs.length, (i) => {
      const input = inputs[i]
      let checked: CheckedInput | undefined = this.#schemas.checkEntry(input)
      if (checked === undefined) {
        const result = this.#schemas.entry.safeParse(input)
        if (!result.success) {
          issues.push(...toIssues(result.error, input, `[${i}]`))
          return
        }
        checked = result.data as CheckedInput
      }
      const entry = prepareEntry(checked, this.#options.userIdFormat, `[${i}].`)
      if ('field' in entry) issues.push(entry)
      else prepared.push(entry)
    })
    if (issues.length > 0) throw new ValidationError(issues)
    return prepared
  }

  /**
   * The entry with this uuid; rejects with NotFoundError when there is none.
   *
   * @example
   * const entry = await audit.getLog(uuid)
   */
  getLog(uuid: string): Promise<Entry<A>> {
    return this.#run(
      'getLog',
      () => this.#find(uuid),
      (entry) => {
        if (entry === null) throw new NotFoundError(uuid)
        return entry
      },
    )
  }

  /**
   * The entry with this uuid, or null.
   *
   * @example
   * const entry = await audit.findLog(uuid) // Entry | null
   */
  findLog(uuid: string): Promise<Entry<A> | null> {
    return this.#run('findLog', () => this.#find(uuid))
  }

  /**
   * Entries matching every filter, newest first (by insertedAt, then uuid), `limit` (default 100,
   * at most 10000) from `offset`. For deep pages prefer `pageLogs`, whose cost does not grow with depth.
   *
   * @example
   * const resets = await audit.listLogs({ action: 'admin_password_reset', fromDate: '2026-10-01', limit: 50 })
   */
  listLogs(options: ListOptions<A> = {}): Promise<Entry<A>[]> {
    return this.#run('listLogs', async () => {
      const { limit, offset, ...filters } = parseOrThrow(this.#schemas.query.list, options)
      return this.#list(this.#filters(filters), limit ?? DEFAULT_LIMIT, offset ?? 0)
    })
  }

  /**
   * Entries with this action, newest first.
   *
   * @example
   * const locks = await audit.listLogsByAction('user_locked', { limit: 20 })
   */
  listLogsByAction(action: A, options: Paging = {}): Promise<Entry<A>[]> {
    return this.#run('listLogsByAction', async () => {
      const checked = parseOrThrow(this.#schemas.query.action, action, 'action')
      const { limit, offset } = parseOrThrow(this.#schemas.query.paging, options)
      return this.#list({ actions: [checked] }, limit ?? DEFAULT_LIMIT, offset ?? 0)
    })
  }

  /**
   * Entries where the user is the target or the admin, newest first. Stays fast when a user has
   * millions of entries in both roles.
   *
   * @example
   * const history = await audit.listLogsForUser(userId, { limit: 100, offset: 100 })
   */
  listLogsForUser(userUuid: string, options: Paging = {}): Promise<Entry<A>[]> {
    return this.#run('listLogsForUser', async () => {
      const user = parseOrThrow(this.#schemas.query.userId, userUuid, 'userUuid')
      const { limit, offset } = parseOrThrow(this.#schemas.query.paging, options)
      return this.#list(this.#filters({ userUuid: user }), limit ?? DEFAULT_LIMIT, offset ?? 0)
    })
  }

  /**
   * How many entries match the filters (the same filters as `listLogs`, without limit/offset).
   *
   * @example
   * const deletions = await audit.countLogs({ action: 'user_deleted', fromDate: weekAgo })
   */
  countLogs(options: LogFilters<A> = {}): Promise<number> {
    return this.#run('countLogs', async () => {
      const filters = parseOrThrow(this.#schemas.query.count, options)
      return this.#store.count(this.#filters(filters))
    })
  }

  /**
   * One page of matching entries and the cursor of the next (null on the last page). A page
   * costs the same at any depth, and entries written meanwhile never shift later pages.
   *
   * @example
   * let page = await audit.pageLogs({ targetUserUuid: id, limit: 50 })
   * while (page.nextCursor) page = await audit.pageLogs({ targetUserUuid: id, limit: 50, cursor: page.nextCursor })
   */
  pageLogs(options: PageOptions<A> = {}): Promise<Page<A>> {
    return this.#run('pageLogs', async () => {
      const { limit = DEFAULT_LIMIT, cursor, ...filters } = parseOrThrow(this.#schemas.query.page, options)
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      const rows = await this.#list(this.#filters(filters), limit + 1, 0, after)
      if (rows.length <= limit) return { entries: rows, nextCursor: null }
      const entries = rows.slice(0, limit)
      return { entries, nextCursor: encodeCursor(positionOf(entries[limit - 1] as Entry)) }
    })
  }

  /**
   * Every matching entry, newest first, read `batchSize` (default 500) at a time: memory stays
   * constant however many match. Options are checked now; a bad one throws at once.
   *
   * @example
   * for await (const entry of audit.iterateLogs({ action: 'user_deleted' })) exportLine(entry)
   */
  iterateLogs(options: IterateOptions<A> = {}): AsyncIterableIterator<Entry<A>> {
    const { batchSize = DEFAULT_BATCH, ...filters } = parseOrThrow(this.#schemas.query.iterate, options)
    const storeFilters = toStoreFilters(filters, this.#options.userIdFormat)
    // The event loop turns between batches: on SQLite a batch is read without I/O, and a loop over
    // every entry would otherwise hold it for its whole length.
    return pagedIterator(
      (last: Entry<A> | undefined) =>
        this.#run('iterateLogs', () =>
          this.#list(storeFilters, batchSize, 0, last === undefined ? undefined : positionOf(last)),
        ),
      batchSize,
    )
  }

  /**
   * An AuditLog that reads and writes through the caller's connection or transaction: a pg
   * client after `BEGIN`, a Kysely transaction (either engine), or a better-sqlite3 Database.
   * Its entries commit or roll back with the caller's other changes. Its `close()` closes nothing.
   *
   * @example
   * await db.transaction().execute(async (trx) => {
   *   await trx.updateTable('users').set({ password_hash }).where('id', '=', userId).execute()
   *   await audit.using(trx).logPasswordChange({ targetUserUuid: userId, adminUserUuid: adminId })
   * })
   */
  using(handle: UsingHandle): AuditLog<A> {
    return new AuditLog<A>(this.#store.using(handle), this.#options, this.#schemas, this.#shared)
  }

  /**
   * Seals every entry committed so far: gives each its `seq` and leaf hash and extends the Merkle
   * tree, in batches, each batch one transaction. A live log also does this in the background
   * (`sealIntervalMs`). Waits while another process is sealing. On PostgreSQL, entries committed
   * after an older transaction that is still running wait until it ends (sealing follows
   * `pg_snapshot_xmin`), so a long-running transaction delays sealing; it never loses an entry.
   *
   * @example
   * const { sealed, treeSize } = await audit.seal()
   */
  seal(): Promise<SealResult> {
    return this.#run('seal', () => this.#shared.sealer.sealAll())
  }

  /**
   * The sealed tree's size and root hash, unsigned.
   *
   * @example
   * const { treeSize, rootHash } = await audit.treeHead()
   */
  treeHead(): Promise<TreeHead> {
    return this.#run('treeHead', async () => {
      const state = await this.#shared.root.sealState()
      return { treeSize: state.size, rootHash: encodeHash(frontierOf(state).root()) }
    })
  }

  /**
   * How far sealing is behind: `entries` committed and not sealed yet, and `seconds` since the
   * oldest of them was written (0 when there are none). For monitoring: a lag that keeps growing
   * means sealing is stuck or cannot keep up (see `onSealError`). Reads only the unsealed tail.
   *
   * @example
   * const { entries, seconds } = await audit.sealLag()
   * if (seconds > 60) alert(`sealing is ${seconds} s behind (${entries} entries)`)
   */
  sealLag(): Promise<SealLag> {
    return this.#run('sealLag', async () => {
      const { entries, oldest } = await this.#shared.root.pending()
      const seconds = oldest === null ? 0 : Math.max(0, (Date.now() - oldest.getTime()) / 1000)
      return { entries, seconds }
    })
  }

  /**
   * Seals, then signs the tree head with the log's `signingKey` and stores and returns the
   * checkpoint. Copy `note` out of the database (a file, object storage with retention, another
   * system): a checkpoint its administrator cannot rewrite is what proves the log was not
   * rebuilt. Returns the newest stored checkpoint when nothing was sealed since.
   * Without a `signingKey`, rejects with a ValidationError.
   *
   * @example
   * const { note } = await audit.checkpoint()
   * await fs.appendFile('/mnt/worm/audit-checkpoints.txt', note + '\n')
   */
  checkpoint(): Promise<SignedCheckpoint> {
    return this.#run('checkpoint', async () => {
      const { signer, origin } = this.#options
      if (signer === undefined) {
        throw new ValidationError([
          { field: 'signingKey', message: 'is required to sign checkpoints (createAuditLog option)' },
        ])
      }
      await this.#shared.sealer.sealAll()
      const stored = await signCheckpoint(this.#shared.root, signer, origin, this.#options.keys ?? [])
      return signedCheckpoint(stored)
    })
  }

  /**
   * Verifies the log: reads every sealed entry in seq order, recomputes its leaf from the stored
   * fields, rebuilds the tree and checks it against every stored checkpoint and every one passed
   * in, in constant memory. Returns `{ ok, entries, checkpointsChecked, problems }`, problems in
   * log order, each naming the entry or checkpoint concerned. Pass checkpoints kept outside the
   * database: they are what reveal a log rebuilt and re-signed by someone with the database.
   * On a SQLite file this log opened, a walk of 65,536 entries or more reads and hashes part of
   * them on a worker thread (a read-only connection of its own); the result is the same.
   *
   * @example
   * const result = await audit.verify({ checkpoints: savedNotes, publicKey: publicKeyPem })
   * if (!result.ok) alert(result.problems[0])
   */
  verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    return this.#run('verify', () => verifyStore(this.#shared.root, this.#options.origin, this.#options.keys, options))
  }

  /**
   * Sealed entries in seq order as JSON Lines (one line per entry, without the newline), read a
   * batch at a time: what `verifyExport` checks with no database. `fromSeq` (default 0) and
   * `toSeq` (exclusive; default the sealed size when the export starts) select a range, to resume
   * an export or to follow the entries sealed since the last one. A line of a row that cannot be
   * read as an entry holds its stored text (`{"seq":n,"unreadable":{...}}`); a sealed entry that
   * is gone stops the export with an IntegrityError (`entry_missing`).
   *
   * @example
   * const out = fs.createWriteStream('audit-export.jsonl')
   * for await (const line of audit.exportLog()) out.write(line + '\n')
   * // later: only what was sealed since
   * for await (const line of audit.exportLog({ fromSeq: lastSeq + 1 })) out.write(line + '\n')
   */
  exportLog(options: SeqRange = {}): AsyncIterableIterator<string> {
    const range = parseOrThrow(exportRangeSchema, options)
    const rows = sealedRows(this.#shared.root, range, (fn) => this.#run('exportLog', fn))
    return (async function* exportLines() {
      for await (const sealed of rows) yield exportRowLine(sealed.seq, sealed.row as RowLeaf)
    })()
  }

  /**
   * The sealed entries with `fromSeq <= seq < toSeq`, in seq order, each with its `seq`: read by
   * position in the tree rather than by time, so that nothing committed late is missed when
   * following a log. At most {@link MAX_LIMIT} (10,000) per call; `toSeq` beyond the sealed size
   * gives what is sealed so far. Rejects with a StoreError for a row that cannot be read as an
   * entry, and an IntegrityError (`entry_missing`) for a sealed entry that is gone.
   *
   * @example
   * let next = 0
   * for (;;) {
   *   const entries = await audit.readSealed({ fromSeq: next, toSeq: next + 1000 })
   *   for (const e of entries) forward(e)
   *   if (entries.length < 1000) break
   *   next += entries.length
   * }
   */
  readSealed(options: { fromSeq: number; toSeq: number }): Promise<Entry<A>[]> {
    return this.#run('readSealed', async () => {
      const { fromSeq, toSeq } = parseOrThrow(readSealedSchema, options)
      const entries: Entry<A>[] = []
      for await (const sealed of sealedRows(this.#shared.root, { fromSeq, toSeq }, (fn) =>
        this.#run('readSealed', fn),
      )) {
        const row = sealed.row as RowLeaf
        if (row.entry === null || row.unreadable !== undefined) {
          throw new StoreError(
            'readSealed',
            `the entry ${sealed.uuid} at seq ${sealed.seq} cannot be read (${row.unreadable}): run verify()`,
          )
        }
        entries.push({ ...row.entry, seq: sealed.seq } as Entry<A>)
      }
      return entries
    })
  }

  /**
   * The stored checkpoints of at least `fromSize` entries (default 0), oldest first, at most
   * `limit` (default 100, at most 1000), read without signing or sealing: what a verifier or a
   * witness fetches. Nothing here is verified; pass the notes to `verifyCheckpoint` or `verify()`.
   * Page on with `fromSize: last.treeSize + 1`.
   *
   * @example
   * const [first] = await audit.listCheckpoints({ fromSize: 1000, limit: 1 })
   */
  listCheckpoints(options: { fromSize?: number; limit?: number } = {}): Promise<SignedCheckpoint[]> {
    return this.#run('listCheckpoints', async () => {
      const { fromSize = 0, limit = DEFAULT_LIMIT } = parseOrThrow(listCheckpointsSchema, options)
      return (await this.#shared.root.checkpointsFrom(fromSize, limit)).map(signedCheckpoint)
    })
  }

  /**
   * The newest stored checkpoint, or null when none was signed; read without signing or sealing.
   * Not verified: pass its note to `verifyCheckpoint`.
   *
   * @example
   * const latest = await audit.latestCheckpoint()
   */
  latestCheckpoint(): Promise<SignedCheckpoint | null> {
    return this.#run('latestCheckpoint', async () => {
      const stored = await this.#shared.root.latestCheckpoint()
      return stored === null ? null : signedCheckpoint(stored)
    })
  }

  /**
   * An RFC 6962 inclusion proof that the entry is in the tree of `treeSize` entries (default:
   * the sealed tree now). Check it with `verifyInclusion(proof, checkpointNote, publicKey)`, where
   * the checkpoint has that tree size. Rejects with NotFoundError for an unknown uuid and a
   * ValidationError for an entry not sealed yet.
   *
   * @example
   * const cp = await audit.checkpoint()
   * const proof = await audit.proveInclusion(entry.uuid, cp.treeSize)
   * verifyInclusion(proof, cp.note, publicKeyPem) // true
   */
  proveInclusion(uuid: string, treeSize?: number): Promise<InclusionProof> {
    return this.#run('proveInclusion', async () => {
      const checked = parseOrThrow(entryUuidSchema, uuid, 'uuid').toLowerCase()
      const seq = await this.#shared.root.seqOf(checked)
      if (seq === null) {
        if ((await this.#shared.root.find(checked)) === null) throw new NotFoundError(checked)
        throw new ValidationError([{ field: 'uuid', message: 'is not sealed yet: call seal() first' }])
      }
      return proveInclusionAt(this.#shared.root, seq, treeSize)
    })
  }

  /**
   * An RFC 6962 consistency proof that the tree of `oldSize` entries is a prefix of the tree of
   * `newSize`: nothing sealed before was changed. Check it with `verifyConsistency`.
   *
   * @example
   * const proof = await audit.proveConsistency(oldCp.treeSize, newCp.treeSize)
   * verifyConsistency(proof, oldCp.note, newCp.note, publicKeyPem) // true
   */
  proveConsistency(oldSize: number, newSize: number): Promise<ConsistencyProof> {
    return this.#run('proveConsistency', () => proveConsistencyOf(this.#shared.root, oldSize, newSize))
  }

  /**
   * Creates an API key for the HTTP service (`auditkit serve`): `key` (`ak_<id>_<secret>`) is
   * returned this once; only its SHA-256 is stored. `scopes`: `write` for the two POSTs, `read` for
   * everything else. Rejects with a ValidationError for a bad name or scope.
   *
   * @example
   * const { id, key } = await audit.createApiKey({ name: 'billing-service', scopes: ['write'] })
   */
  createApiKey(options: CreateApiKeyOptions): Promise<CreatedApiKey> {
    return this.#run('createApiKey', () => createApiKey(this.#shared.root, options))
  }

  /**
   * Every API key, oldest first: id, name, scopes, created, last used (to the minute), revoked.
   * Never a secret.
   *
   * @example
   * for (const k of await audit.listApiKeys()) console.log(k.id, k.name, k.scopes, k.revokedAt)
   */
  listApiKeys(): Promise<ApiKeyInfo[]> {
    return this.#run('listApiKeys', () => listApiKeys(this.#shared.root))
  }

  /**
   * Revokes an API key: `verifyApiKey` refuses it from now on. Rejects with NotFoundError for an
   * unknown id. Revoking twice is harmless (the first time is kept).
   *
   * @example
   * await audit.revokeApiKey('5f1c0a9e2b7d4c3e8a6b9d0f')
   */
  revokeApiKey(id: string): Promise<ApiKeyInfo> {
    return this.#run('revokeApiKey', () => revokeApiKey(this.#shared.root, id))
  }

  /**
   * The key's record when `key` is a live API key (well formed, stored, not revoked, its hash
   * equal, compared in constant time), else null, whatever the reason. Records its last use.
   *
   * @example
   * const caller = await audit.verifyApiKey(bearerToken)
   * if (caller === null || !caller.scopes.includes('read')) return unauthorized()
   */
  verifyApiKey(key: string): Promise<ApiKeyInfo | null> {
    return this.#run('verifyApiKey', () => verifyApiKey(this.#shared.root, key))
  }

  /**
   * Creates or upgrades the tables (run by `createAuditLog` unless `migrate: false`). Safe to run
   * from several processes at once; each migration is applied once, in a transaction.
   *
   * @example
   * const audit = await createAuditLog({ database: url, migrate: false }); await audit.migrate()
   */
  migrate(): Promise<void> {
    return this.#run('migrate', () => this.#store.migrate())
  }

  /**
   * Resolves when the database answers a trivial query; rejects with a StoreError (whose
   * `retryable` says whether to try again) when it does not. For health checks.
   *
   * @example
   * app.get('/health', async (_req, res) => { await audit.ping(); res.send('ok') })
   */
  ping(): Promise<void> {
    return this.#run('ping', () => this.#store.ping())
  }

  /**
   * Closes the log: stops background sealing, waits for operations under way (on this log and,
   * for the log `createAuditLog` made, every log `using()` made from it), seals what is committed
   * (unless `seal: false`), then closes what `createAuditLog` opened (a pool or database passed in
   * stays open). Later calls reject with StoreError. Every call, concurrent ones included,
   * resolves when the log is closed.
   *
   * @example
   * process.on('SIGTERM', () => audit.close())
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const { seal = true } = parseOrThrow(closeOptionsSchema, options)
    this.#closing ??= this.#close(seal)
    return this.#closing
  }

  async #close(seal: boolean): Promise<void> {
    if (this.#shared.root !== this.#store) {
      await this.#inFlight.idle()
      await this.#store.close()
      return
    }
    this.#shared.closed = true
    await this.#shared.sealer.stop()
    await this.#inFlight.idle()
    if (seal) {
      // Another process sealing now (busy) will seal these entries too: no need to wait for it.
      await this.#shared.sealer.sealAll(false).catch((error: unknown) => this.#shared.sealer.report(error))
    }
    await this.#store.close()
  }

  // Counts the call in flight until it settles (close() waits for it), and renames the store's
  // errors after the method called. Promise chaining rather than an async function: a single
  // entry's read answers in one turn of the microtask queue (see BENCHMARKS.md, "getLog").
  #run<T, U = T>(operation: string, fn: () => Promise<T>, then?: (value: T) => U): Promise<U> {
    if (this.#closing !== undefined || this.#shared.closed) {
      return Promise.reject(new StoreError(operation, 'the audit log is closed', { closed: true }))
    }
    this.#inFlight.enter()
    let running: Promise<T>
    try {
      running = fn()
    } catch (error) {
      running = Promise.reject(error)
    }
    return running.then(
      (value) => {
        this.#inFlight.leave()
        return then === undefined ? (value as unknown as U) : then(value)
      },
      (error) => {
        this.#inFlight.leave()
        // The store names its own steps ('insert', 'seal'...); the caller called a method.
        throw error instanceof StoreError ? error.as(operation) : error
      },
    )
  }

  async #write(checked: z.output<Schemas['entry']>): Promise<Entry<A>> {
    const prepared = prepareEntry(checked, this.#options.userIdFormat, '')
    if ('field' in prepared) throw new ValidationError([prepared])
    await this.#store.insert([prepared])
    return prepared.entry as Entry<A>
  }

  #find(uuid: string): Promise<Entry<A> | null> {
    // A well-formed uuid skips zod's machinery; anything else gets the schema's error.
    const checked = isEntryUuid(uuid) ? uuid : parseOrThrow(entryUuidSchema, uuid, 'uuid')
    return this.#store.find(checked.toLowerCase()) as Promise<Entry<A> | null>
  }

  #filters(filters: LogFilters): StoreFilters {
    return toStoreFilters(filters, this.#options.userIdFormat)
  }

  async #list(filters: StoreFilters, limit: number, offset: number, after?: Position): Promise<Entry<A>[]> {
    return (await this.#store.list({ filters, limit, offset, after })) as Entry<A>[]
  }
}
