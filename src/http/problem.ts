import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ConflictError, NotFoundError, StoreError, ValidationError } from '../index.js'

/** One offending field of a 400, as `ValidationError.issues` names it. */
export interface ProblemField {
  readonly field: string
  readonly message: string
}

/** An RFC 9457 problem details object, the body of every error response. */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly errors?: readonly ProblemField[]
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** Seconds a client is told to wait when the database is unavailable. */
export const RETRY_AFTER_SECONDS = 5

/** An `application/problem+json` response. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  errors?: readonly ProblemField[],
  headers: Record<string, string> = {},
): Response {
  const body: Problem = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors === undefined ? {} : { errors }),
  }
  return c.newResponse(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json', ...headers })
}

/**
 * The one place an error becomes a response: a ValidationError is a 400 naming each field, a
 * NotFoundError a 404, a ConflictError (an idempotency key reused) a 409, a retryable StoreError a 503 with Retry-After; anything else a 500 whose
 * body says nothing of the internals.
 */
export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof ValidationError) return problem(c, 400, error.message, error.issues)
  if (error instanceof NotFoundError) return problem(c, 404, error.message)
  if (error instanceof ConflictError) {
    return problem(c, 409, `${error.message} (Idempotency-Key)`)
  }
  if (error instanceof StoreError && error.retryable) {
    return problem(c, 503, 'the database is unavailable; try again later', undefined, {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    })
  }
  return problem(c, 500, 'internal error')
}
