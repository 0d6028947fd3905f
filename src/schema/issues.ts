import type { z } from 'zod'
import { ValidationError, type ValidationIssue } from '../errors.js'

function fieldName(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  }
  return out
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Date) return 'a Date'
  if (typeof value === 'number') return String(value)
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** Turns zod's issues into auditkit's: one `{ field, message }` per offending field. */
export function toIssues(error: z.ZodError, input: unknown, prefix = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ field: fieldName(prefix, [...issue.path, key]), message: 'is not a known option' })
      }
      continue
    }
    const field = fieldName(prefix, issue.path)
    let message = issue.message
    if (issue.code === 'invalid_type') {
      const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], input)
      message =
        value === undefined && issue.path.length > 0
          ? 'is required'
          : `must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`} (got ${describe(value)})`
      if (issue.expected === 'date' && value instanceof Date) message = 'is an invalid Date'
    } else if (issue.code === 'invalid_value') {
      message = `must be one of: ${issue.values.map(String).join(', ')}`
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`
      message = issue.origin === 'string' ? `must have ${bound} characters` : `must be ${bound}`
    }
    issues.push({ field: field || prefix || 'input', message })
  }
  return issues
}

/** Parses `input` with `schema`, or throws a ValidationError naming every offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input)
  if (!result.success) throw new ValidationError(toIssues(result.error, input, prefix))
  return result.data
}
