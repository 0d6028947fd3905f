import { randomUUID } from 'node:crypto'
import { expect } from 'vitest'
import { type AuditLog, type Entry, ValidationError } from '../../src/index.js'

/** A fresh random user id. */
export const userId = (): string => randomUUID()

/** Asserts the promise rejects with a ValidationError naming exactly these fields (in any order). */
export async function expectInvalid(promise: Promise<unknown>, fields: string[]): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ValidationError)
  const v = error as ValidationError
  expect([...v.fields].sort()).toEqual([...fields].sort())
  for (const issue of v.issues) expect(issue.message.length).toBeGreaterThan(0)
  return v
}

/** Asserts that nothing at all is stored. */
export async function expectEmpty(audit: AuditLog<string>): Promise<void> {
  expect(await audit.countLogs()).toBe(0)
}

/** Asserts entries are strictly newest first by (insertedAt, uuid). */
export function expectNewestFirst(entries: readonly Entry<string>[]): void {
  for (let i = 1; i < entries.length; i++) {
    const a = entries[i - 1] as Entry<string>
    const b = entries[i] as Entry<string>
    const ordered =
      a.insertedAt > b.insertedAt || (a.insertedAt.getTime() === b.insertedAt.getTime() && a.uuid > b.uuid)
    expect(ordered, `${a.uuid} before ${b.uuid}`).toBe(true)
  }
}

/** Strings that look like SQL or driver syntax; each must be stored and found verbatim. */
export const HOSTILE_STRINGS = [
  "'); DROP TABLE auditkit_entries; --",
  '" OR 1=1 --',
  "\\'; SELECT pg_sleep(10); --",
  '$1 $2 ? ?1 :name @p0',
  '%_*[]^$',
  '<script>alert(1)</script>',
  '{"json": true}',
  'ünïcødé 🔐 中文 \u200b',
]
