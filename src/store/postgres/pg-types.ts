/** A pg type parser: the text PostgreSQL sent for one value, as auditkit reads it. */
type Parser = (text: string) => unknown

const BACKSLASH = 92

/**
 * A bytea in either output format: `\x` and hex digits (the default), or `escape`, where `\\` is
 * a backslash, `\ooo` an octal byte and any other character stands for itself.
 *
 * @example
 * parseBytea('\\x00ff') // <Buffer 00 ff>
 * parseBytea('a\\000\\\\') // <Buffer 61 00 5c>
 */
export function parseBytea(text: string): Buffer {
  if (text.charCodeAt(0) === BACKSLASH && text.charCodeAt(1) === 120) return Buffer.from(text.slice(2), 'hex')
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== BACKSLASH) bytes.push(c)
    else if (text.charCodeAt(i + 1) === BACKSLASH) {
      bytes.push(BACKSLASH)
      i++
    } else {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 8))
      i += 3
    }
  }
  return Buffer.from(bytes)
}

const asText: Parser = (text) => text
const PARSERS = new Map<number, Parser>([
  [16, (text) => text === 't'], // bool
  [17, parseBytea], // bytea
  [21, Number], // int2
  [23, Number], // int4
  [26, Number], // oid
  [700, Number], // float4
  [701, Number], // float8
])

/**
 * The type parsers of every query auditkit sends through pg, in place of the connection's: an
 * app's `pg.types.setTypeParser(...)` or a pool's `types` (bool as text, float8 as text, numeric
 * as a float...) must not change what auditkit reads. Every other type comes as its text, which
 * auditkit converts itself (int8 counts and seqs with `Number`, dates selected as epoch numbers).
 *
 * @example
 * pool.query({ text: 'SELECT true AS ok', types: AUDITKIT_PG_TYPES }) // rows: [{ ok: true }]
 */
export const AUDITKIT_PG_TYPES = {
  getTypeParser(oid: number): Parser {
    return PARSERS.get(oid) ?? asText
  },
}
