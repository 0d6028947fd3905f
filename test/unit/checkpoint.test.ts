import { createHash } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { formatCheckpoint, parseCheckpoint } from '../../src/tlog/checkpoint.js'
import {
  generateNoteKeyPair,
  NoteError,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../src/tlog/note-keys.js'

// The example checkpoint of c2sp.org/tlog-checkpoint, copied from C2SP/C2SP, tlog-checkpoint.md
// (its public key is not published, so only its form is checked here).
const SPEC_TEXT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'
const SPEC_NOTE = `${SPEC_TEXT}\n\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n`
const SPEC_ROOT = '0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62'

const ROOT = createHash('sha256').update('root').digest()
const ROOT_B64 = ROOT.toString('base64')

function refused(run: () => unknown): void {
  let error: unknown
  try {
    run()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(NoteError)
  expect((error as NoteError).reason).toBe('malformed-checkpoint')
}

describe('the example of c2sp.org/tlog-checkpoint', () => {
  test('parses to its origin, size and root hash, and formats back to the same text', () => {
    const { text, signatures } = parseNote(SPEC_NOTE)
    expect(text).toBe(SPEC_TEXT)
    expect(signatures[0]).toMatchObject({ name: 'example.com/behind-the-sofa', keyId: 0x033de0ae })
    const checkpoint = parseCheckpoint(text)
    expect(checkpoint.origin).toBe('example.com/behind-the-sofa')
    expect(checkpoint.size).toBe(20852163)
    expect(Buffer.from(checkpoint.rootHash).toString('hex')).toBe(SPEC_ROOT)
    expect(checkpoint.extensions).toEqual([])
    expect(formatCheckpoint(checkpoint)).toBe(SPEC_TEXT)
  })
})

describe('formatCheckpoint and parseCheckpoint', () => {
  test('format the three lines, then any extension lines', () => {
    expect(formatCheckpoint({ origin: 'audit.example.com/log', size: 0, rootHash: ROOT })).toBe(
      `audit.example.com/log\n0\n${ROOT_B64}\n`,
    )
    const withExtensions = { origin: 'o', size: 12, rootHash: ROOT, extensions: ['ext one', 'ext+two'] }
    expect(formatCheckpoint(withExtensions)).toBe(`o\n12\n${ROOT_B64}\next one\next+two\n`)
  })

  test('round trip, extensions and an origin with spaces included (the spec lets clients assume nothing)', () => {
    const cases = [
      { origin: 'audit.example.com/log', size: 0, rootHash: new Uint8Array(32), extensions: [] },
      { origin: 'a log with spaces + plus', size: 1, rootHash: ROOT, extensions: ['x'] },
      { origin: 'é', size: Number.MAX_SAFE_INTEGER, rootHash: new Uint8Array(32).fill(255), extensions: ['a', 'b'] },
    ]
    for (const input of cases) {
      const parsed = parseCheckpoint(formatCheckpoint(input))
      expect(parsed).toEqual({ ...input, rootHash: new Uint8Array(input.rootHash) })
      expect(formatCheckpoint(parsed)).toBe(formatCheckpoint(input))
    }
  })

  test('random checkpoints round trip (property)', () => {
    for (let i = 0; i < 2000; i++) {
      const seed = createHash('sha256').update(`checkpoint:${i}`).digest()
      const size = seed.readUIntBE(0, 6) % 2 ** (seed[6]! % 49)
      const input = { origin: `log.example/${seed.toString('hex', 7, 9)}`, size, rootHash: seed }
      const text = formatCheckpoint(input)
      expect(text.split('\n')[1]).toBe(String(size))
      const parsed = parseCheckpoint(text)
      expect(parsed.size).toBe(size)
      expect(Buffer.from(parsed.rootHash).equals(seed)).toBe(true)
    }
  })

  test('the parsed checkpoint is frozen and its root hash is a copy', () => {
    const text = formatCheckpoint({ origin: 'o', size: 3, rootHash: ROOT })
    const parsed = parseCheckpoint(text)
    expect(Object.isFrozen(parsed)).toBe(true)
    expect(Object.isFrozen(parsed.extensions)).toBe(true)
    parsed.rootHash[0] = parsed.rootHash[0]! ^ 1
    expect(Buffer.from(parseCheckpoint(text).rootHash).equals(ROOT)).toBe(true)
  })

  test('signed, opened and parsed: what the log signs is what a verifier reads', () => {
    const pair = generateNoteKeyPair('audit.example.com/log')
    const input = { origin: 'audit.example.com/log', size: 1_000_000, rootHash: ROOT, extensions: [] }
    const note = signNote(formatCheckpoint(input), parseSignerKey(pair.signerKey))
    const parsed = parseCheckpoint(openNote(note, [parseVerifierKey(pair.verifierKey)]).text)
    expect(parsed).toEqual({ ...input, rootHash: new Uint8Array(ROOT) })
  })

  test('parse refuses everything but the exact form', () => {
    const line = (size: string, root = ROOT_B64, tail = '') => `o\n${size}\n${root}\n${tail}`
    const cases = [
      '',
      '\n',
      `o\n1\n${ROOT_B64}`, // no final newline
      `o\n1\n`,
      `\n1\n${ROOT_B64}\n`, // empty origin
      line('01'),
      line('00'),
      line('+1'),
      line('-1'),
      line(' 1'),
      line('1 '),
      line('1.0'),
      line('1e3'),
      line('0x10'),
      line('١'), // an Arabic-Indic digit
      line(''),
      line('9007199254740992'),
      line('99999999999999999999'),
      line('1', ROOT.subarray(0, 31).toString('base64')),
      line('1', Buffer.concat([ROOT, Buffer.from([0])]).toString('base64')),
      line('1', ROOT.toString('base64url')),
      line('1', ROOT_B64.replace('=', '')),
      line('1', `${ROOT_B64} `),
      line(
        '1',
        ROOT_B64.replace(/.=$/, (m) => `${String.fromCharCode(m.charCodeAt(0) ^ 1)}=`),
      ),
      line('1', ROOT.toString('hex')),
      line('1', ROOT_B64, '\n'), // an empty extension line
      line('1', ROOT_B64, 'ext\n\n'),
      `o\n\n1\n${ROOT_B64}\n`,
      `o\r\n1\r\n${ROOT_B64}\r\n`,
      `o\u0000\n1\n${ROOT_B64}\n`,
      `o\n1\n${ROOT_B64}\nex\tt\n`,
      `\ud800\n1\n${ROOT_B64}\n`,
      SPEC_NOTE, // the whole signed note, not its text
      createHash('sha256').update('x').digest().toString('latin1').repeat(3200), // 100 KB of garbage
      `${'x\n'.repeat(50_000)}`,
    ]
    for (const text of cases) refused(() => parseCheckpoint(text))
    for (const text of [undefined, null, 42, ROOT]) refused(() => parseCheckpoint(text as unknown as string))
  })

  test('the largest safe size is accepted and the next one is not', () => {
    expect(parseCheckpoint(`o\n9007199254740991\n${ROOT_B64}\n`).size).toBe(Number.MAX_SAFE_INTEGER)
    refused(() => parseCheckpoint(`o\n9007199254740992\n${ROOT_B64}\n`))
  })

  test('format refuses what parse would refuse', () => {
    const ok = { origin: 'o', size: 1, rootHash: ROOT }
    const cases = [
      { ...ok, origin: '' },
      { ...ok, origin: 'a\nb' },
      { ...ok, origin: 'a\rb' },
      { ...ok, origin: '\ud800' },
      { ...ok, size: -1 },
      { ...ok, size: 1.5 },
      { ...ok, size: Number.NaN },
      { ...ok, size: Number.MAX_SAFE_INTEGER + 1 },
      { ...ok, size: '1' as unknown as number },
      { ...ok, rootHash: ROOT.subarray(0, 31) },
      { ...ok, rootHash: new Uint8Array(33) },
      { ...ok, rootHash: ROOT_B64 as unknown as Uint8Array },
      { ...ok, extensions: [''] },
      { ...ok, extensions: ['a\nb'] },
      { ...ok, extensions: ['ok', '\u0001'] },
    ]
    for (const input of cases) refused(() => formatCheckpoint(input))
  })
})
