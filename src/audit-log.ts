import type { z } from 'zod'
import type { DefaultAction } from './actions.js'
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
import type { ResolvedOptions } from './options.js'
import { toStoreFilters } from './parse-filters.js'
import { type CheckedInput, prepareEntry } from './prepare-entry.js'
import { entryInputSchema, passwordChangeSchema } from './schema/entry-schema.js'
import { entryUuidSchema } from './schema/fields.js'
import { parseOrThrow, toIssues } from './schema/issues.js'
import { DEFAULT_LIMIT, querySchemas } from './schema/query-schema.js'
import type { Position, Store, StoredEntry, StoreFilters } from './store/store.js'

const PASSWORD_RESET = 'admin_password_reset'
const DEFAULT_BATCH = 500

interface Schemas {
  readonly entry: ReturnType<typeof entryInputSchema>
  readonly passwordChange: ReturnType<typeof passwordChangeSchema>
  readonly query: ReturnType<typeof querySchemas>
}

function buildSchemas(o: ResolvedOptions): Schemas {
  return {
    entry: entryInputSchema(o.actions, o.userIdFormat),
    passwordChange: passwordChangeSchema(o.actions, o.userIdFormat),
    query: querySchemas(o.actions, o.userIdFormat),
  }
}

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
  #inflight = 0
  #idle: (() => void) | undefined
  #closed = false

  /** @internal Use `createAuditLog`. */
  constructor(store: Store, options: ResolvedOptions, schemas?: Schemas) {
    this.#store = store
    this.#options = options
    this.#schemas = schemas ?? buildSchemas(options)
  }

  /** The engine behind this log. */
  get engine(): 'sqlite' | 'postgres' {
    return this.#store.engine
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
    return this.#run('createLogEntry', async () => this.#write(parseOrThrow(this.#schemas.entry, input)))
  }

  /**
   * Logs several actions atomically: all are committed, or none (and a ValidationError names
   * every bad field as `[index].field`).
   *
   * @example
   * await audit.createLogEntries(users.map((u) => ({ targetUserUuid: u.id, adminUserUuid, action: 'user_deleted' })))
   */
  createLogEntries(inputs: readonly LogEntryInput<A>[]): Promise<Entry<A>[]> {
    return this.#run('createLogEntries', async () => {
      if (!Array.isArray(inputs)) throw new ValidationError([{ field: 'entries', message: 'must be an array' }])
      const issues: ValidationIssue[] = []
      const prepared: StoredEntry[] = []
      inputs.forEach((input, i) => {
        const result = this.#schemas.entry.safeParse(input)
        if (!result.success) {
          issues.push(...toIssues(result.error, input, `[${i}]`))
          return
        }
        const entry = prepareEntry(result.data as CheckedInput, this.#options.userIdFormat, `[${i}].`)
        if ('field' in entry) issues.push(entry)
        else prepared.push(entry)
      })
      if (issues.length > 0) throw new ValidationError(issues)
      await this.#store.insert(prepared)
      return prepared.map((p) => p.entry as Entry<A>)
    })
  }

  /**
   * The entry with this uuid; rejects with NotFoundError when there is none.
   *
   * @example
   * const entry = await audit.getLog(uuid)
   */
  getLog(uuid: string): Promise<Entry<A>> {
    return this.#run('getLog', async () => {
      const entry = await this.#find(uuid)
      if (entry === null) throw new NotFoundError(uuid)
      return entry
    })
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
      return this.#list({ action: checked }, limit ?? DEFAULT_LIMIT, offset ?? 0)
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
    const list = (after: Position | undefined) =>
      this.#run('iterateLogs', () => this.#list(storeFilters, batchSize, 0, after))
    return (async function* iterate() {
      let after: Position | undefined
      for (;;) {
        const rows = await list(after)
        yield* rows
        const last = rows[rows.length - 1]
        if (rows.length < batchSize || last === undefined) return
        after = positionOf(last)
      }
    })()
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
  using(handle: unknown): AuditLog<A> {
    return new AuditLog<A>(this.#store.using(handle), this.#options, this.#schemas)
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
   * Waits for operations under way, then closes what `createAuditLog` opened (a pool or database
   * passed in stays open). Later calls reject with StoreError. Calling it again does nothing.
   *
   * @example
   * process.on('SIGTERM', () => audit.close())
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#inflight > 0) await new Promise<void>((resolve) => (this.#idle = resolve))
    await this.#store.close()
  }

  async #run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError(operation, 'the audit log is closed')
    this.#inflight++
    try {
      return await fn()
    } finally {
      if (--this.#inflight === 0) this.#idle?.()
    }
  }

  async #write(checked: z.output<Schemas['entry']>): Promise<Entry<A>> {
    const prepared = prepareEntry(checked, this.#options.userIdFormat, '')
    if ('field' in prepared) throw new ValidationError([prepared])
    await this.#store.insert([prepared])
    return prepared.entry as Entry<A>
  }

  async #find(uuid: string): Promise<Entry<A> | null> {
    const checked = parseOrThrow(entryUuidSchema, uuid, 'uuid')
    return (await this.#store.find(checked.toLowerCase())) as Entry<A> | null
  }

  #filters(filters: LogFilters): StoreFilters {
    return toStoreFilters(filters, this.#options.userIdFormat)
  }

  async #list(filters: StoreFilters, limit: number, offset: number, after?: Position): Promise<Entry<A>[]> {
    return (await this.#store.list({ filters, limit, offset, after })) as Entry<A>[]
  }
}
