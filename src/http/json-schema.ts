import { z } from 'zod'

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 takes it), as plain JSON. */
export type JsonSchema = { [key: string]: unknown }

// Marks the JSON Schema of a z.date() until `clean` drops it.
const DATE = 'x-auditkit-date'

type ZodInternals = { _zod: { def: { type: string; checks?: { _zod: { def: { pattern?: unknown } } }[] } } }

/**
 * A regex source that matches as the `i` flag would, since JSON Schema patterns carry no flags:
 * each letter outside a class becomes `[aA]`, each letter or letter range inside one gains its
 * other case. Enough for the patterns auditkit's schemas use (UUIDs).
 */
export function caseInsensitiveSource(source: string): string {
  let out = ''
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string
    if (ch === '\\') {
      out += source.slice(i, i + 2)
      i++
    } else if (ch === '[' && !inClass) {
      inClass = true
      out += ch
    } else if (ch === ']' && inClass) {
      inClass = false
      out += ch
    } else if (!/[a-z]/i.test(ch)) {
      out += ch
    } else if (!inClass) {
      out += `[${ch.toLowerCase()}${ch.toUpperCase()}]`
    } else if (source[i + 1] === '-' && /[a-z]/i.test(source[i + 2] ?? '')) {
      const range = source.slice(i, i + 3)
      out += range + (range === range.toLowerCase() ? range.toUpperCase() : range.toLowerCase())
      i += 2
    } else out += ch + (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())
  }
  return out
}

/**
 * zod's conversion with the fixes a wire document needs: a `Date` branch of a union (a library
 * caller's convenience, never JSON) is dropped; a regex with the `i` flag is made
 * case-insensitive; `$schema` and `$id` are left out (the document says which dialect it uses).
 */
function converter() {
  const params = {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx: { zodSchema: unknown; jsonSchema: JsonSchema }) => {
      const { def } = (ctx.zodSchema as ZodInternals)._zod
      if (def.type === 'date') ctx.jsonSchema[DATE] = true
      for (const check of def.checks ?? []) {
        const { pattern } = check._zod.def
        if (pattern instanceof RegExp && pattern.flags.includes('i') && ctx.jsonSchema.pattern === pattern.source) {
          ctx.jsonSchema.pattern = caseInsensitiveSource(pattern.source)
        }
      }
    },
  } as const
  const clean = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(clean)
    if (typeof value !== 'object' || value === null) return value
    const out: JsonSchema = {}
    for (const [key, item] of Object.entries(value)) {
      if (key === '$schema' || key === '$id') continue
      if (key === 'anyOf' && Array.isArray(item)) {
        const kept = item.filter((branch) => branch?.[DATE] !== true)
        if (kept.length === 1) Object.assign(out, clean(kept[0]))
        else out.anyOf = clean(kept)
      } else out[key] = clean(item)
    }
    return out
  }
  return { params, clean }
}

/** One zod schema as JSON Schema, as the service takes it on the wire. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { params, clean } = converter()
  return clean(z.toJSONSchema(schema, params)) as JsonSchema
}

/** Every schema of a registry as JSON Schema, each referring to the others at `#/components/schemas/<id>`. */
export function componentSchemasOf(registry: z.core.$ZodRegistry<{ id: string }>): Record<string, JsonSchema> {
  const { params, clean } = converter()
  const { schemas } = z.toJSONSchema(registry, { ...params, uri: (id) => `#/components/schemas/${id}` })
  return clean(schemas) as Record<string, JsonSchema>
}
