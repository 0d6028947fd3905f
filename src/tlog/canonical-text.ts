// Canonical JSON (RFC 8785, see canonical-json.ts) recognised in text, without parsing it.

// A scanner that accepts only text which is already canonical JSON: what JSON.stringify wrote for
// keys inserted in sorted order (auditkit's SQLite metadata mostly is). It gives up (false) on
// anything it would have to think about: whitespace, any escape, a surrogate, a number not in
// its shortest form, keys out of order, deep nesting. Giving up only costs the slow path.
const SCAN_MAX_DEPTH = 64
let scanText = ''
let scanAt = 0
// Set when one space after a ',' or ':' is allowed (as PostgreSQL writes jsonb out), and when one was seen.
let scanSpaced = false
let sawSpace = false

// Steps over the one space jsonb's output puts after a separator, where allowed.
function skipSpace(): void {
  if (scanSpaced && scanText.charCodeAt(scanAt) === 0x20) {
    scanAt++
    sawSpace = true
  }
}

function scanValue(depth: number): boolean {
  const c = scanText.charCodeAt(scanAt)
  if (c === 0x7b) return scanObject(depth)
  if (c === 0x5b) return scanArray(depth)
  if (c === 0x22) return scanString() !== undefined
  if (c === 0x74) return scanWord('true')
  if (c === 0x66) return scanWord('false')
  if (c === 0x6e) return scanWord('null')
  return scanNumber()
}

function scanWord(word: string): boolean {
  if (!scanText.startsWith(word, scanAt)) return false
  scanAt += word.length
  return true
}

// A string without escapes, control characters or surrogates: its text is its canonical form.
function scanString(): string | undefined {
  const start = ++scanAt
  for (;;) {
    const c = scanText.charCodeAt(scanAt)
    if (c === 0x22) break
    if (Number.isNaN(c) || c < 0x20 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return undefined
    scanAt++
  }
  return scanText.slice(start, scanAt++)
}

// A number whose text is what Number::toString writes for it (so finite, shortest, no '+' or '.0').
function scanNumber(): boolean {
  const start = scanAt
  for (;;) {
    const c = scanText.charCodeAt(scanAt)
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) scanAt++
    else break
  }
  if (scanAt === start) return false
  const token = scanText.slice(start, scanAt)
  // Number() also reads forms JSON does not ('.5', '5.', '+1', hex is impossible here): those never equal their toString.
  return `${Number(token)}` === token
}

function scanArray(depth: number): boolean {
  if (depth >= SCAN_MAX_DEPTH) return false
  scanAt++
  if (scanText.charCodeAt(scanAt) === 0x5d) {
    scanAt++
    return true
  }
  for (;;) {
    if (!scanValue(depth + 1)) return false
    const c = scanText.charCodeAt(scanAt++)
    if (c === 0x5d) return true
    if (c !== 0x2c) return false
    skipSpace()
  }
}

function scanObject(depth: number): boolean {
  if (depth >= SCAN_MAX_DEPTH) return false
  scanAt++
  if (scanText.charCodeAt(scanAt) === 0x7d) {
    scanAt++
    return true
  }
  let last: string | undefined
  for (;;) {
    if (scanText.charCodeAt(scanAt) !== 0x22) return false
    const key = scanString()
    // Strictly increasing by UTF-16 code units (`<`, as the canonical sort): no repeats either.
    if (key === undefined || (last !== undefined && !(last < key))) return false
    last = key
    if (scanText.charCodeAt(scanAt++) !== 0x3a) return false
    skipSpace()
    if (!scanValue(depth + 1)) return false
    const c = scanText.charCodeAt(scanAt++)
    if (c === 0x7d) return true
    if (c !== 0x2c) return false
    skipSpace()
  }
}

/**
 * Whether `text` is a JSON object already in canonical form (then `canonicalJsonOfText(text).json
 * === text`), found without parsing it; false when that is not sure. The sealing and verify hot
 * path tries it first.
 *
 * @example
 * isCanonicalObjectText('{"a":[1,"x"],"b":null}') // true
 * isCanonicalObjectText('{"b":1,"a":2}') // false (keys out of order)
 */
export function isCanonicalObjectText(text: string): boolean {
  return scan(text, false)
}

function scan(text: string, spaced: boolean): boolean {
  if (text.charCodeAt(0) !== 0x7b) return false
  scanText = text
  scanAt = 0
  scanSpaced = spaced
  sawSpace = false
  try {
    return scanObject(0) && scanAt === text.length
  } finally {
    scanText = ''
  }
}

/**
 * The canonical JSON of `text` when it is a JSON object already canonical but for one space after
 * each `,` and `:` (how PostgreSQL writes a jsonb value out, keys permitting): that text with those
 * spaces taken out; else, as {@link isCanonicalObjectText}, the text itself when it is canonical;
 * undefined when that is not sure. The same string as `canonicalJsonOfText(text).json` whenever
 * it is not undefined.
 *
 * @example
 * canonicalObjectTextOf('{"a": [1, "x"], "b": null}') // '{"a":[1,"x"],"b":null}'
 * canonicalObjectTextOf('{"aa": 1, "b": 2}') // '{"aa":1,"b":2}'
 * canonicalObjectTextOf('{"b": 1, "aa": 2}') // undefined (keys out of order)
 */
export function canonicalObjectTextOf(text: string): string | undefined {
  if (!scan(text, true)) return undefined
  if (!sawSpace) return text
  // Accepted strings hold no escape, so every '"' opens or closes one; spaces outside are separators'.
  let out = ''
  let from = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) inString = !inString
    else if (c === 0x20 && !inString) {
      out += text.slice(from, i)
      from = i + 1
    }
  }
  return out + text.slice(from)
}
