import type { Hono, MiddlewareHandler } from 'hono'
import {
  type AuditLog,
  entryCsvHeader,
  entryCsvLine,
  entryJsonLine,
  type IterateOptions,
  type SeqRange,
  ValidationError,
} from '../index.js'
import type { AuthVariables } from './auth.js'
import { lineStreamResponse } from './line-stream.js'
import { queryOptions } from './query.js'

const FORMATS = ['jsonl', 'csv'] as const
type ExportFormat = (typeof FORMATS)[number]

/** `format` of the query string: jsonl (the default) or csv, given at most once. */
function exportFormat(values: readonly string[] | undefined): ExportFormat {
  if (values === undefined) return 'jsonl'
  const [value] = values
  if (values.length !== 1) throw new ValidationError([{ field: 'format', message: 'must be given once' }])
  if (!FORMATS.includes(value as ExportFormat)) {
    throw new ValidationError([{ field: 'format', message: `must be one of: ${FORMATS.join(', ')}` }])
  }
  return value as ExportFormat
}

/** `fromSeq` and `toSeq` as numbers when they are written as integers; anything else is left for exportLog to refuse. */
function seqRange(options: Record<string, unknown>): SeqRange {
  const range: Record<string, unknown> = { ...options }
  for (const name of ['fromSeq', 'toSeq']) {
    const value = range[name]
    if (typeof value === 'string' && /^\d+$/.test(value)) range[name] = Number(value)
  }
  return range as SeqRange
}

/**
 * `GET /events/export`: every entry matching the filters (as `iterateLogs` takes them), as JSON
 * Lines or CSV (the CLI's rules: RFC 4180, formula cells neutralised), streamed.
 * `GET /log/export`: the verifiable export (`exportLog`), what `verifyExport` checks.
 * Every parameter is checked before the first byte: a bad one is a problem+json 400.
 */
export function registerExportRoutes(
  app: Hono<{ Variables: AuthVariables }>,
  audit: AuditLog<string>,
  read: MiddlewareHandler<{ Variables: AuthVariables }>,
): void {
  app.get('/events/export', read, async (c) => {
    const format = exportFormat(c.req.queries('format'))
    const filters = queryOptions(c, ['format'])
    // The batch size is the server's business, not a filter.
    if ('batchSize' in filters) throw new ValidationError([{ field: 'batchSize', message: 'is not a known option' }])
    // iterateLogs checks its options when called, before reading anything.
    const items = audit.iterateLogs(filters as IterateOptions<string>)
    return lineStreamResponse({
      items,
      line: format === 'csv' ? entryCsvLine : entryJsonLine,
      head: format === 'csv' ? entryCsvHeader() : '',
      contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      filename: `auditkit-export.${format}`,
    })
  })

  app.get('/log/export', read, async (c) => {
    const lines = audit.exportLog(seqRange(queryOptions(c)))
    return lineStreamResponse({
      items: lines,
      line: (text) => `${text}\n`,
      contentType: 'application/x-ndjson',
      filename: 'auditkit-log.jsonl',
    })
  })
}
