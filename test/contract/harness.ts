import type { AuditLog, AuditLogOptions, DEFAULT_ACTIONS, UsingHandle } from '../../src/index.js'

/** A transaction the caller opened on their own connection, with a change of their own in it. */
export interface CallerTransaction {
  /** What the caller passes to `audit.using()`. */
  readonly handle: UsingHandle
  /** Writes one row of the caller's own (a password change) in the same transaction. */
  changePassword(): Promise<void>
  commit(): Promise<void>
  rollback(): Promise<void>
}

/** A fresh, empty audit log on one engine, with the means to poke at it. */
export interface Fixture<A extends string> {
  readonly audit: AuditLog<A>
  /** Each kind of caller transaction this engine accepts in `using()`. */
  readonly transactions: Readonly<Record<string, () => Promise<CallerTransaction>>>
  /** How many password changes the caller committed (read outside any transaction). */
  committedPasswordChanges(): Promise<number>
  /** Makes the database itself refuse inserts of this action (a trigger), to test failures. */
  failInsertsOf(action: string): Promise<void>
  /** Closes the log and opens it again on the same data; undefined where data cannot outlive a close. */
  readonly reopen: (() => Promise<AuditLog<A>>) | undefined
}

/** Options a contract case may set (the harness supplies `database` and `table`). */
export type FixtureOptions<A extends readonly string[]> = Omit<AuditLogOptions<A>, 'database' | 'table'>

/** One engine set-up that the contract suite runs against. */
export interface Harness {
  readonly name: string
  readonly engine: 'sqlite' | 'postgres'
  open<const A extends readonly string[] = typeof DEFAULT_ACTIONS>(
    options?: FixtureOptions<A>,
  ): Promise<Fixture<A[number]>>
  /** Closes everything the harness opened and drops its data. */
  teardown(): Promise<void>
}
