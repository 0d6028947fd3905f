import { createHash, createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import {
  generateNoteKeyPair,
  isValidKeyName,
  NoteError,
  type NoteErrorReason,
  type NoteKey,
  type NoteSigner,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signerFromKey,
  signNote,
  verifierKeyFor,
  verifyNote,
} from '../../src/tlog/note-keys.js'

// Test vectors copied from golang/mod, sumdb/note/note_test.go (TestNewVerifier, TestNewSigner, TestSign,
// TestVerifierList, TestOpen): the reference implementation golang.org/x/mod/sumdb/note.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop'
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
const PETER_B64 = 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM='
const ENOCH_B64 = 'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ='
const PETER_SIG = `\u2014 PeterNeumann ${PETER_B64}\n`
const ENOCH_SIG = `\u2014 EnochRoot ${ENOCH_B64}\n`
const PETER = { name: 'PeterNeumann', keyId: 0xc74f20a3, signature: PETER_B64 }
const ENOCH = { name: 'EnochRoot', keyId: 0xaf0cfe78, signature: ENOCH_B64 }

// The example note of c2sp.org/signed-note, copied from C2SP/C2SP, signed-note.md (its public key is not published).
const SPEC_NOTE =
  'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n' +
  '\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n'

const peter = () => parseVerifierKey(PETER_VKEY)
const enoch = () => parseVerifierKey(ENOCH_VKEY)

function caught(run: () => unknown): NoteError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(NoteError)
    return error as NoteError
  }
  throw new Error('expected a NoteError, nothing was thrown')
}

function expectRefused(note: string | Uint8Array, verifiers: readonly NoteKey[], reason?: NoteErrorReason) {
  const error = caught(() => openNote(note, verifiers))
  if (reason !== undefined) expect(error.reason).toBe(reason)
  expect(verifyNote(note, verifiers)).toBe(false)
  return error
}

// Deterministic bytes, so that a failing case can be replayed.
function garbage(seed: string, length: number): Buffer {
  const blocks = Array.from({ length: Math.ceil(length / 32) }, (_, i) =>
    createHash('sha256').update(`${seed}:${i}`).digest(),
  )
  return Buffer.concat(blocks).subarray(0, length)
}

function peterPrivateKeyPem(): string {
  const seed = Buffer.from(PETER_SKEY.split('+').slice(4).join('+'), 'base64').subarray(1)
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string
}

describe('known answers from golang.org/x/mod/sumdb/note', () => {
  test('key strings decode to the published name and key ID', () => {
    expect(peter()).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3 })
    expect(enoch()).toMatchObject({ name: 'EnochRoot', keyId: 0xaf0cfe78 })
    const signer = parseSignerKey(PETER_SKEY)
    expect(signer).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3, verifierKey: PETER_VKEY })
  })

  test('signing reproduces the published note byte for byte', () => {
    expect(signNote(TEXT, parseSignerKey(PETER_SKEY))).toBe(`${TEXT}\n${PETER_SIG}`)
  })

  test('the same key as PEM gives the same verifier key and the same note', () => {
    const pem = peterPrivateKeyPem()
    expect(verifierKeyFor('PeterNeumann', pem)).toBe(PETER_VKEY)
    expect(verifierKeyFor('PeterNeumann', createPublicKey(pem))).toBe(PETER_VKEY)
    expect(signNote(TEXT, signerFromKey('PeterNeumann', pem))).toBe(`${TEXT}\n${PETER_SIG}`)
    expect(signNote(TEXT, signerFromKey('PeterNeumann', createPrivateKey(pem)))).toBe(`${TEXT}\n${PETER_SIG}`)
  })

  test('one signature verified, one by an unknown key', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter()])
    expect(opened).toEqual({ text: TEXT, verifiedBy: [PETER], unverified: [ENOCH] })
  })

  test('both verified', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter(), enoch()])
    expect(opened).toEqual({ text: TEXT, verifiedBy: [PETER, ENOCH], unverified: [] })
  })

  test('no known key: refused as unverified, naming the keys that did sign', () => {
    const error = expectRefused(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [], 'unverified')
    expect(error.message).toContain('PeterNeumann+c74f20a3')
    expect(error.message).toContain('EnochRoot+af0cfe78')
  })

  test('one key listed twice is the same key (a key set may repeat its own key)', () => {
    expect(openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch(), peter(), enoch()]).verifiedBy.map((s) => s.name)).toEqual([
      'EnochRoot',
    ])
  })

  test('two keys under one name and key ID are ambiguous only when a signature needs it', () => {
    const twin: NoteKey = { ...peter(), name: 'EnochRoot', keyId: 0xaf0cfe78, verifierKey: 'EnochRoot+af0cfe78+twin' }
    const error = expectRefused(`${TEXT}\n${ENOCH_SIG}`, [enoch(), peter(), twin], 'ambiguous-key')
    expect(error.message).toContain('EnochRoot+af0cfe78')
    expect(openNote(`${TEXT}\n${PETER_SIG}`, [enoch(), peter(), twin]).verifiedBy).toEqual([PETER])
  })

  test('more than 100 signatures is malformed', () => {
    expectRefused(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter()], 'malformed-note')
    expectRefused(`${TEXT}\n${PETER_SIG.repeat(101)}`, [], 'malformed-note')
    expect(openNote(`${TEXT}\n${PETER_SIG.repeat(100)}`, [peter()]).verifiedBy).toEqual([PETER])
  })

  test('a bad signature by a known key refuses the whole note', () => {
    const bad = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`
    const error = expectRefused(`${TEXT}\n${bad}`, [peter()], 'invalid-signature')
    expect(error.message).toBe('invalid signature for key PeterNeumann+c74f20a3')
    // A bad repeat after a good one too: the spec says every signature by a known key MUST be checked
    // (golang.org/x/mod/sumdb/note skips repeats by a key it has already verified).
    expectRefused(`${TEXT}\n${PETER_SIG}${bad}`, [peter()], 'invalid-signature')
  })

  test('repeated signatures are listed once', () => {
    const enochAbcd = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`
    const note = `${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochAbcd}`
    expect(openNote(note, [peter()])).toEqual({
      text: TEXT,
      verifiedBy: [PETER],
      unverified: [ENOCH, { ...ENOCH, signature: enochAbcd.slice('\u2014 EnochRoot '.length, -1) }],
    })
  })

  test('malformed messages from TestOpen', () => {
    const bad: (string | Uint8Array)[] = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]),
      `${TEXT}\n\u2014 Bad Name ${PETER_B64}`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    ]
    for (const note of bad) expectRefused(note, [peter()], 'malformed-note')
  })

  test('verifier key manglings from TestNewVerifier are refused', () => {
    for (let i = 0; i <= PETER_VKEY.length; i++) {
      for (let j = i + 1; j <= PETER_VKEY.length; j++) {
        if (i !== 0 || j !== PETER_VKEY.length) expectBadKey(() => parseVerifierKey(PETER_VKEY.slice(i, j)))
      }
    }
    for (const key of incremented(PETER_VKEY)) expectBadKey(() => parseVerifierKey(key))
    // wrong length key, with adjusted key hash; unknown algorithm, with adjusted key hash
    expectBadKey(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='))
    expectBadKey(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))
  })

  test('signer key manglings from TestNewSigner are refused, without echoing the secret', () => {
    const secret = PETER_SKEY.split('+').slice(4).join('+')
    for (let i = 0; i <= PETER_SKEY.length; i++) {
      for (let j = i + 1; j <= PETER_SKEY.length; j++) {
        if (i !== 0 || j !== PETER_SKEY.length) expectBadKey(() => parseSignerKey(PETER_SKEY.slice(i, j)))
      }
    }
    for (const key of incremented(PETER_SKEY)) {
      expect(expectBadKey(() => parseSignerKey(key)).message).not.toContain(secret.slice(4, 20))
    }
  })

  test('signing a text without a final newline is refused (TestSign)', () => {
    expect(caught(() => signNote('abc', parseSignerKey(PETER_SKEY))).reason).toBe('malformed-note')
  })
})

describe('the example of c2sp.org/signed-note', () => {
  test('the text is everything before the last blank line, blank lines inside it included', () => {
    const { text, signatures } = parseNote(SPEC_NOTE)
    expect(text).toBe('Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n')
    expect(signatures).toHaveLength(1)
    expect(signatures[0]).toMatchObject({ name: 'quasimodo.example/salvatore', keyId: 0x367ba04b })
  })

  test('as bytes and as a string alike; unverified without its key', () => {
    expect(parseNote(Buffer.from(SPEC_NOTE))).toEqual(parseNote(SPEC_NOTE))
    const other = generateNoteKeyPair('quasimodo.example/salvatore')
    expectRefused(SPEC_NOTE, [parseVerifierKey(other.verifierKey)], 'unverified')
  })
})

describe('generated keys', () => {
  test('every encoding of one key signs and verifies alike', () => {
    const pair = generateNoteKeyPair('audit.example.com/log')
    expect(pair.signerKey).toMatch(/^PRIVATE\+KEY\+audit\.example\.com\/log\+[0-9a-f]{8}\+A[Q-Za-f][A-Za-z0-9+/]{42}$/)
    expect(pair.verifierKey).toMatch(/^audit\.example\.com\/log\+[0-9a-f]{8}\+A[Q-Za-f][A-Za-z0-9+/]{42}$/)
    expect(pair.signerKey.split('+')[3]).toBe(pair.verifierKey.split('+')[1])
    expect(verifierKeyFor('audit.example.com/log', pair.publicKey)).toBe(pair.verifierKey)
    expect(verifierKeyFor('audit.example.com/log', pair.privateKey)).toBe(pair.verifierKey)
    const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const signers = [parseSignerKey(pair.signerKey), signerFromKey('audit.example.com/log', pair.privateKey)]
    signers.push(signerFromKey('audit.example.com/log', pem))
    const text = 'audit.example.com/log\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'
    const notes = signers.map((signer) => signNote(text, signer))
    expect(new Set(notes).size).toBe(1)
    for (const signer of signers) expect(signer.verifierKey).toBe(pair.verifierKey)
    const opened = openNote(notes[0]!, [parseVerifierKey(pair.verifierKey)])
    expect(opened.text).toBe(text)
    expect(opened.verifiedBy.map((s) => s.keyId)).toEqual([signers[0]!.keyId])
  })

  test('several signatures on one note: either key alone verifies it', () => {
    const a = generateNoteKeyPair('log.example/a')
    const b = generateNoteKeyPair('witness.example/b')
    const note = signNote('hello\n', parseSignerKey(a.signerKey), parseSignerKey(b.signerKey))
    const [va, vb] = [parseVerifierKey(a.verifierKey), parseVerifierKey(b.verifierKey)]
    expect(openNote(note, [va]).verifiedBy.map((s) => s.name)).toEqual(['log.example/a'])
    expect(openNote(note, [va]).unverified.map((s) => s.name)).toEqual(['witness.example/b'])
    expect(openNote(note, [vb]).verifiedBy.map((s) => s.name)).toEqual(['witness.example/b'])
    expect(openNote(note, [vb, va]).verifiedBy.map((s) => s.name)).toEqual(['log.example/a', 'witness.example/b'])
  })

  test('at least 16 signatures are accepted, as the spec requires', () => {
    const pairs = Array.from({ length: 16 }, (_, i) => generateNoteKeyPair(`witness.example/${i}`))
    const [first, ...rest] = pairs.map((p) => parseSignerKey(p.signerKey))
    const note = signNote('tree head\n', first!, ...rest)
    for (const pair of pairs) expect(verifyNote(note, [parseVerifierKey(pair.verifierKey)])).toBe(true)
  })

  test('a key of the same name but another key is not trusted', () => {
    const a = generateNoteKeyPair('audit.example.com/log')
    const b = generateNoteKeyPair('audit.example.com/log')
    const note = signNote('hello\n', parseSignerKey(a.signerKey))
    expectRefused(note, [parseVerifierKey(b.verifierKey)], 'unverified')
  })

  test('a verifier is looked up by name and key ID together', () => {
    const note = `${TEXT}\n${PETER_SIG}`
    const renamed = (name: string, keyId: number): NoteKey => ({ ...peter(), name, keyId })
    expectRefused(note, [renamed('CarmenSandiego', 0xc74f20a3), renamed('PeterNeumann', 0xc74f20a4)], 'unverified')
    expect(verifyNote(note, [renamed('PeterNeumann', 0xc74f20a3)])).toBe(true)
  })

  test('a colliding name and key ID with another key fails verification', () => {
    const other = parseVerifierKey(generateNoteKeyPair('PeterNeumann').verifierKey)
    const impostor: NoteKey = { ...other, name: 'PeterNeumann', keyId: 0xc74f20a3 }
    expectRefused(`${TEXT}\n${PETER_SIG}`, [impostor], 'invalid-signature')
  })

  test('a key that is not a point on the curve counts as a failed signature', () => {
    const broken: NoteKey = { ...peter(), publicKey: new Uint8Array(32).fill(0xff) }
    expectRefused(`${TEXT}\n${PETER_SIG}`, [broken], 'invalid-signature')
  })
})

describe('tampering (property)', () => {
  const pair = generateNoteKeyPair('audit.example.com/log')
  const verifiers = [parseVerifierKey(pair.verifierKey)]
  const text = 'audit.example.com/log\n3\nq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=\n'
  const note = signNote(text, parseSignerKey(pair.signerKey))

  test('the untouched note verifies', () => {
    expect(openNote(note, verifiers).text).toBe(text)
  })

  test('flipping any bit of any byte of the note refuses it', () => {
    const bytes = Buffer.from(note)
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = Buffer.from(bytes)
        flipped[i]! ^= 1 << bit
        expectRefused(flipped, verifiers)
        expectRefused(flipped.toString('utf8'), verifiers)
      }
    }
  })

  test('flipping any byte of the key ID or of the signature, re-encoded cleanly, refuses it', () => {
    const { signatures } = parseNote(note)
    const raw = Buffer.from(signatures[0]!.signature, 'base64')
    expect(raw).toHaveLength(68)
    for (let i = 0; i < raw.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const flipped = Buffer.from(raw)
        flipped[i]! ^= mask
        const tampered = `${text}\n\u2014 audit.example.com/log ${flipped.toString('base64')}\n`
        expectRefused(tampered, verifiers, i < 4 ? 'unverified' : 'invalid-signature')
      }
    }
  })

  test('changing any character of the text to another printable one is an invalid signature', () => {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\n') continue
      const changed = `${text.slice(0, i)}${text[i] === 'x' ? 'y' : 'x'}${text.slice(i + 1)}`
      expectRefused(signedWith(note, changed), verifiers, 'invalid-signature')
    }
  })

  test('random edits never crash, and an accepted note always has the signed text', () => {
    const base = signNote(TEXT, parseSignerKey(PETER_SKEY), parseSignerKey(generateNoteKeyPair('EnochRoot').signerKey))
    const alphabet = ['\n', '\u2014', ' ', '+', '/', '=', 'A', 'x', '\u0000', '\u00e9', '\ud800']
    const random = garbage('edits', 3 * 4 * 5000)
    let accepted = 0
    for (let n = 0; n < 5000; n++) {
      let edited = base
      for (let k = 0; k < 3; k++) {
        const at = random.readUInt16BE(n * 12 + k * 4) % (edited.length + 1)
        const op = random[n * 12 + k * 4 + 2]! % 3
        const ch = alphabet[random[n * 12 + k * 4 + 3]! % alphabet.length]!
        edited = edited.slice(0, at) + (op === 2 ? '' : ch) + edited.slice(op === 0 ? at : at + 1)
      }
      try {
        expect(openNote(edited, [peter()]).text).toBe(TEXT)
        accepted++
      } catch (error) {
        expect(error).toBeInstanceOf(NoteError)
      }
    }
    // Edits to the unverified signature line are harmless; most others are not.
    expect(accepted).toBeGreaterThan(0)
    expect(accepted).toBeLessThan(2500)
  })
})

describe('malformed input', () => {
  const verifiers = [peter()]
  const good = `${TEXT}\n${PETER_SIG}`

  test('is refused as malformed, by openNote, verifyNote and parseNote', () => {
    const tooShort = Buffer.from([0xc7, 0x4f, 0x20, 0xa3]).toString('base64')
    const cases: (string | Uint8Array)[] = [
      '',
      '\n',
      '\n\n',
      TEXT.replace(/\n$/, '\n\n'),
      good.replace('\n\n', '\n'), // no blank line
      good.slice(0, -1), // no final newline
      `${good}\n`,
      good.replace('\u2014', '-'), // hyphen, not em dash
      good.replace('\u2014', '\u2013'), // en dash
      good.replace('\u2014 ', '\u2014'),
      good.replace('\u2014 ', '\u2014  '),
      good.replace(' x08go', '  x08go'),
      good.replace('PeterNeumann ', 'PeterNeumann+1 '),
      good.replace('PeterNeumann ', ''),
      good.replace(PETER_B64, ''),
      good.replace(PETER_B64, `${PETER_B64} `),
      good.replace(PETER_B64, PETER_B64.replace('=', '')), // unpadded
      good.replace(PETER_B64, PETER_B64.replace(/\//g, '_')), // base64url
      good.replace(PETER_B64, PETER_B64.replace('M=', 'N=')), // non-canonical trailing bits
      good.replace(PETER_B64, '!!!!'),
      good.replace(PETER_B64, tooShort), // a key ID and no signature
      good.replace('answer', 'ans\twer'),
      good.replace('answer', 'ans\rwer'),
      good.replace('answer', 'ans\u0000wer'),
      good.replace('answer', 'ans\u001bwer'),
      good.replace(/\n/g, '\r\n'),
      good.replace('answer', 'ans\ud800wer'), // lone surrogate
      Buffer.concat([Buffer.from(good.slice(0, 10)), Buffer.from([0xc3]), Buffer.from(good.slice(10))]),
    ]
    for (const note of cases) {
      expectRefused(note, verifiers, 'malformed-note')
      expect(caught(() => parseNote(note)).reason).toBe('malformed-note')
    }
  })

  test('100 KB of garbage is refused, never anything else', () => {
    const bytes = garbage('garbage', 100_000)
    const printable = Array.from(bytes, (b) => (b % 16 === 0 ? '\n' : String.fromCharCode(0x20 + (b % 95)))).join('')
    const dashes = Array.from(bytes.subarray(0, 20_000), (b) => ['\u2014', ' ', '\n', 'A', '='][b % 5]).join('')
    const cases: (string | Uint8Array)[] = [
      bytes,
      bytes.toString('latin1'),
      printable,
      `${printable}\n\n${PETER_SIG}`,
      `${TEXT}\n${printable}\n`,
      `${TEXT}\n\u2014 PeterNeumann ${Buffer.concat([Buffer.from([0xc7, 0x4f, 0x20, 0xa3]), bytes]).toString('base64')}\n`,
      `${TEXT}\n\u2014 PeterNeumann ${bytes.toString('base64')}\n`,
      `${TEXT}\n${dashes}\n`,
      '\n'.repeat(100_000),
      `${'\u2014 '.repeat(50_000)}\n\n${PETER_SIG}`,
      `${TEXT}\n${PETER_SIG.repeat(1000)}`,
    ]
    for (const note of cases) expectRefused(note, verifiers)
  })

  test('input that is not a string or bytes is refused', () => {
    for (const note of [undefined, null, 42, {}, ['a']]) {
      expectRefused(note as unknown as string, verifiers, 'malformed-note')
    }
  })
})

describe('refused keys and signers', () => {
  test('key names: non-empty, no Unicode space, no plus, no control character', () => {
    for (const name of ['audit.example.com/log', 'PeterNeumann', 'é', '\u2014']) expect(isValidKeyName(name)).toBe(true)
    for (const name of ['', 'a b', 'a+b', 'a\tb', 'a\nb', 'a\u0000b', 'a\u00a0b', 'a\u0085b', 'a\u3000b', '\ud800']) {
      expect(isValidKeyName(name)).toBe(false)
      expect(caught(() => generateNoteKeyPair(name)).reason).toBe('malformed-key')
      expect(caught(() => signerFromKey(name, generateNoteKeyPair('ok').privateKey)).reason).toBe('malformed-key')
      expect(caught(() => verifierKeyFor(name, generateNoteKeyPair('ok').publicKey)).reason).toBe('malformed-key')
    }
  })

  test('only Ed25519 private keys sign; only Ed25519 keys make verifier keys', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const ed = generateNoteKeyPair('ok')
    const publicPem = ed.publicKey.export({ format: 'pem', type: 'spki' }) as string
    const badSigners = [ec.privateKey, ec.publicKey, ed.publicKey, publicPem, createSecretKey(Buffer.alloc(32)), 'nope']
    for (const key of badSigners) expect(caught(() => signerFromKey('ok', key)).reason).toBe('malformed-key')
    for (const key of [ec.publicKey, ec.privateKey, createSecretKey(Buffer.alloc(32)), 'nope']) {
      expect(caught(() => verifierKeyFor('ok', key)).reason).toBe('malformed-key')
    }
    expect(verifierKeyFor('ok', publicPem)).toBe(ed.verifierKey)
    for (const key of [undefined, 42, {}]) {
      expect(caught(() => signerFromKey('ok', key as unknown as string)).reason).toBe('malformed-key')
    }
  })

  test('signNote refuses bad text, an invalid signer name and a signer given twice', () => {
    const signer = parseSignerKey(PETER_SKEY)
    for (const text of ['', 'abc', 'a\tb\n', 'a\r\n', '\ud800\n', undefined]) {
      expect(caught(() => signNote(text as string, signer)).reason).toBe('malformed-note')
    }
    const misnamed: NoteSigner = { ...signer, name: 'bad name' }
    expect(caught(() => signNote(TEXT, misnamed)).reason).toBe('malformed-key')
    expect(caught(() => signNote(TEXT, signer, parseSignerKey(PETER_SKEY))).reason).toBe('ambiguous-key')
  })

  test('a text with a blank line, or ending in one, still opens to exactly that text', () => {
    const signer = parseSignerKey(PETER_SKEY)
    for (const text of ['\n', 'a\n\nb\n', 'a\n\n', 'a\n\n\n', '\ufeffbom\n', 'x\u007f\u0085\u2028\n']) {
      expect(openNote(signNote(text, signer), [peter()]).text).toBe(text)
      expect(openNote(Buffer.from(signNote(text, signer)), [peter()]).text).toBe(text)
    }
  })
})

function expectBadKey(run: () => unknown): NoteError {
  const error = caught(run)
  expect(error.reason).toBe('malformed-key')
  return error
}

function* incremented(key: string): Generator<string> {
  for (let i = 0; i < key.length; i++) {
    yield key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1)
  }
}

// Replaces a signed note's text while keeping its signature lines.
function signedWith(note: string, text: string): string {
  return text + note.slice(note.lastIndexOf('\n\n') + 1)
}
