// Canonical JSON (RFC 8785, see canonical-json.ts) recognised in text, without parsing it.

// A scanner that accepts only text which is already canonical JSON: what JSON.stringify wrote for
// keys inserted in sorted order (auditkit's SQLite metadata mostly is). It gives up (false) on
// anything it would have to think about: whitespace, any escape, a surrogate, a number not in
// its shortest form, a repeated key, deep nesting. Giving up only costs the slow path. Keys out
// of order it notes (scanUnordered): canonicalObjectTextOf then writes the text again with every
// object's members sorted, which is still far cheaper than parsing it.
const SCAN_MAX_DEPTH = 64
let scanText = ''
let scanAt = 0
// Set when one space after a ',' or ':' is allowed (as PostgreSQL writes jsonb out), and when one was seen.
let scanSpaced = false
let sawSpace = false
// Set when some object's keys are not in canonical order (but each differs from the one before).
let scanUnordered = false

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
    // Strictly increasing by UTF-16 code units (`<`, as the canonical sort) is canonical already;
    // other orders are noted, repeats refused (those not side by side are found when sorting).
    if (key === undefined || key === last) return false
    if (last !== undefined && !(last < key)) scanUnordered = true
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
  return scan(text, false) && !scanUnordered
}

function scan(text: string, spaced: boolean): boolean {
  if (text.charCodeAt(0) !== 0x7b) return false
  scanText = text
  scanAt = 0
  scanSpaced = spaced
  sawSpace = false
  scanUnordered = false
  try {
    return scanObject(0) && scanAt === text.length
  } finally {
    scanText = ''
  }
}

// The canonical text of a value the scanner accepted (scanText from scanAt): objects' members
// sorted by key, the separators' spaces left out. Undefined for a repeated key.
function buildValue(): string | undefined {
  const c = scanText.charCodeAt(scanAt)
  if (c === 0x7b) return buildObject()
  if (c === 0x5b) return buildArray()
  const start = scanAt
  scanValue(0)
  return scanText.slice(start, scanAt)
}

function buildArray(): string | undefined {
  scanAt++
  if (scanText.charCodeAt(scanAt) === 0x5d) {
    scanAt++
    return '[]'
  }
  let out = '['
  for (;;) {
    const value = buildValue()
    if (value === undefined) return undefined
    out += value
    if (scanText.charCodeAt(scanAt++) === 0x5d) return `${out}]`
    out += ','
    skipSpace()
  }
}

function buildObject(): string | undefined {
  scanAt++
  if (scanText.charCodeAt(scanAt) === 0x7d) {
    scanAt++
    return '{}'
  }
  const members: { key: string; text: string }[] = []
  for (;;) {
    const key = scanString() as string
    scanAt++ // ':'
    skipSpace()
    const value = buildValue()
    if (value === undefined) return undefined
    members.push({ key, text: `"${key}":${value}` })
    if (scanText.charCodeAt(scanAt++) === 0x7d) break
    skipSpace()
  }
  members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  let out = '{'
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as { key: string; text: string }
    if (i > 0) {
      if (members[i - 1]?.key === m.key) return undefined
      out += ','
    }
    out += m.text
  }
  return `${out}}`
}

// The canonical text of an accepted object whose keys are out of order somewhere.
function rebuilt(text: string): string | undefined {
  scanText = text
  scanAt = 0
  try {
    return buildObject()
  } finally {
    scanText = ''
  }
}

/**
 * The canonical JSON of `text` when it is a JSON object canonical but for the order of its keys
 * and one space after each `,` and `:` (how PostgreSQL writes a jsonb value out: keys by length,
 * then bytes): that text with those spaces taken out and every object's members sorted; the text
 * itself when it is canonical already (as {@link isCanonicalObjectText}); undefined when that is
 * not sure (escapes, numbers not in their shortest form, a repeated key...). The same string as
 * `canonicalJsonOfText(text).json` whenever it is not undefined.
 *
 * @example
 * canonicalObjectTextOf('{"a": [1, "x"], "b": null}') // '{"a":[1,"x"],"b":null}'
 * canonicalObjectTextOf('{"aa": 1, "b": 2}') // '{"aa":1,"b":2}'
 * canonicalObjectTextOf('{"b": 1, "aa": {"y": 2, "x": 3}}') // '{"aa":{"x":3,"y":2},"b":1}'
 * canonicalObjectTextOf('{"a": 1.0}') // undefined (not the number's shortest form)
 */
export function canonicalObjectTextOf(text: string): string | undefined {
  if (!scan(text, true)) return undefined
  // scanSpaced stays set: the rebuild steps over the same spaces.
  if (scanUnordered) return rebuilt(text)
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
