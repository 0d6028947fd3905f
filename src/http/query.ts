import type { Context, MiddlewareHandler } from 'hono'
import { ValidationError } from '../index.js'

// Query parameters that are numbers in the library's options.
const NUMERIC = new Set(['limit'])
// Query parameters that may repeat: a list in the library's options (`action=a&action=b`).
const REPEATABLE = new Set(['action'])

/**
 * The query string as the library's options: each parameter once (a repeated one is a 400, but
 * `action`, which repeats for a list), the numeric ones as numbers. Unknown parameters are passed on, for the library to refuse by name as
 * it refuses unknown options.
 */
export function queryOptions(c: Context, ignore: readonly string[] = []): Record<string, unknown> {
  const options: Record<string, unknown> = {}
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (ignore.includes(name)) continue
    if (REPEATABLE.has(name) && values.length > 1) {
      options[name] = values
      continue
    }
    if (values.length !== 1) throw new ValidationError([{ field: name, message: 'must be given once' }])
    const value = values[0] as string
    options[name] = NUMERIC.has(name) && /^-?\d+$/.test(value) ? Number(value) : value
  }
  return options
}

/** Refuses any query parameter, by name (a 400 ValidationError), on a route that takes none. */
export const noQueryParameters: MiddlewareHandler = async (c, next) => {
  const names = Object.keys(c.req.queries())
  if (names.length > 0) {
    throw new ValidationError(
      names.map((field) => ({ field, message: 'is not a known option: this route takes no query parameters' })),
    )
  }
  await next()
}
