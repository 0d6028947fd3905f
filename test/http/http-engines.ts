import { expect } from 'vitest'
import type { AuditLog, AuditLogOptions } from '../../src/index.js'
import { createAuditLog } from '../../src/index.js'
import { dropSchema, PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'

/** A fresh log on one engine, and how to drop its data. */
export interface OpenedLog {
  readonly audit: AuditLog
  readonly drop: () => Promise<void>
}

/** One engine the HTTP tests run on; `skip` says why it cannot run here. */
export interface HttpEngine {
  readonly name: string
  readonly skip?: string | undefined
  open(options?: Omit<AuditLogOptions, 'database'>): Promise<OpenedLog>
}

/**
 * SQLite in memory and PostgreSQL in a schema of its own (dropped after), both with
 * `sealIntervalMs: 0` unless the options say otherwise.
 */
export async function httpEngines(prefix: string): Promise<HttpEngine[]> {
  const pgUnavailable = await postgresUnavailable()
  return [
    {
      name: 'SQLite',
      open: async (options = {}) => ({
        audit: (await createAuditLog({ sealIntervalMs: 0, ...options, database: 'sqlite::memory:' })) as AuditLog,
        drop: async () => {},
      }),
    },
    {
      name: 'PostgreSQL',
      skip: pgUnavailable,
      open: async (options = {}) => {
        const schema = uniqueSchema(prefix)
        const audit = (await createAuditLog({ sealIntervalMs: 0, ...options, database: PG_URL, schema })) as AuditLog
        return { audit, drop: () => dropSchema(schema) }
      },
    },
  ]
}

/** Asserts an RFC 9457 problem+json response of this status (and detail), and returns its body. */
export async function expectProblem(res: Response, status: number, detail?: RegExp): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status)
  expect(res.headers.get('Content-Type')).toBe('application/problem+json')
  const body = (await res.json()) as Record<string, unknown>
  expect(body).toMatchObject({ type: 'about:blank', status, title: expect.any(String), detail: expect.any(String) })
  if (detail !== undefined) expect(body.detail).toMatch(detail)
  return body
}
