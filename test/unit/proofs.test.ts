import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { AuditLogError, ValidationError } from '../../src/errors.js'
import { formatCheckpoint } from '../../src/tlog/checkpoint.js'
import {
  generateKeyPair,
  noteKeysFor,
  noteSignerFor,
  openCheckpoint,
  type PublicKeyInput,
} from '../../src/tlog/keys.js'
import {
  consistencyProof,
  EMPTY_ROOT,
  type GetNode,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  rootFromLeaves,
} from '../../src/tlog/merkle.js'
import { NoteError, type NoteErrorReason, signNote, verifierKeyFor } from '../../src/tlog/note-keys.js'
import {
  type ConsistencyProof,
  decodeHash,
  encodeHash,
  type InclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/tlog/proofs.js'

const ORIGIN = 'audit.example.com/log'
const SIZE = 13
const LEAVES = Array.from({ length: SIZE }, (_, i) => leafHash(Buffer.from(`entry ${i}`)))

// A node store filled only from what MerkleFrontier.append reports, as the log would fill it.
const NODES = new Map<string, Buffer>()
const ROOTS: Buffer[] = []
{
  const frontier = new MerkleFrontier()
  ROOTS.push(frontier.root())
  for (const leaf of LEAVES) {
    for (const n of frontier.append(leaf)) NODES.set(`${n.level}/${n.index}`, n.hash)
    ROOTS.push(frontier.root())
  }
}
const getNode: GetNode = (level, index) => {
  const hash = NODES.get(`${level}/${index}`)
  if (hash === undefined) throw new Error(`no stored node ${level}/${index}`)
  return hash
}

const KEYS = generateKeyPair()
// A key object is quicker to verify with than PEM, which is parsed again on every call.
const PUBLIC_KEY = createPublicKey(KEYS.publicKey)
const OTHER_KEYS = generateKeyPair()
const SIGNER = noteSignerFor(KEYS.privateKey, ORIGIN)
const RSA = generateKeyPairSync('rsa', { modulusLength: 1024 })
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' })

function checkpointNote(size: number, rootHash: Uint8Array = ROOTS[size] as Buffer, origin = ORIGIN): string {
  return signNote(formatCheckpoint({ origin, size, rootHash }), SIGNER)
}
const CHECKPOINTS = ROOTS.map((_, size) => checkpointNote(size))
const checkpointOf = (size: number): string => CHECKPOINTS[size] as string

function inclusion(leafIndex: number, treeSize: number): InclusionProof {
  return {
    leafIndex,
    treeSize,
    leafHash: encodeHash(LEAVES[leafIndex] as Buffer),
    auditPath: inclusionProof(leafIndex, treeSize, getNode).map(encodeHash),
  }
}

function consistency(oldSize: number, newSize: number): ConsistencyProof {
  return { oldSize, newSize, path: consistencyProof(oldSize, newSize, getNode).map(encodeHash) }
}

function flipBit(base64: string, bit: number): string {
  const bytes = Buffer.from(base64, 'base64')
  bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7))
  return bytes.toString('base64')
}

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}

function expectNoteError(run: () => unknown, reason: NoteErrorReason): void {
  const error = thrown(run)
  expect(error).toBeInstanceOf(NoteError)
  expect((error as NoteError).reason).toBe(reason)
}

function expectValidationError(run: () => unknown, field: string): void {
  const error = thrown(run)
  expect(error).toBeInstanceOf(ValidationError)
  expect((error as ValidationError).fields).toEqual([field])
}

const BAD_PUBLIC_KEYS: readonly [string, unknown][] = [
  ['an RSA public PEM', RSA.publicKey.export({ format: 'pem', type: 'spki' })],
  ['an RSA public KeyObject', RSA.publicKey],
  ['an EC private KeyObject', EC.privateKey],
  ['a secret KeyObject', createSecretKey(Buffer.alloc(32))],
  ['a PEM with a garbage body', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'],
  ['a random string', 'not a key at all'],
  ['an empty string', ''],
  ['a verifier key of the wrong form', 'a+b+c'],
  [
    'a verifier key with a wrong key ID',
    verifierKeyFor(ORIGIN, KEYS.publicKey).replace(/\+[0-9a-f]{8}\+/, '+00000000+'),
  ],
  ['a verifier key of 31 bytes', `${ORIGIN}+00000000+${Buffer.alloc(32, 1).toString('base64')}`],
  ['a number', 42],
  ['null', null],
  ['undefined', undefined],
  ['an object', {}],
]

describe('the test tree', () => {
  test('the stored nodes give the reference root of every size, and checkpoints open to it', () => {
    for (let n = 0; n <= SIZE; n++) {
      expect(ROOTS[n]?.equals(rootFromLeaves(LEAVES.slice(0, n)))).toBe(true)
      const opened = openCheckpoint(checkpointOf(n), KEYS.publicKey)
      expect(opened.origin).toBe(ORIGIN)
      expect(opened.size).toBe(n)
      expect(Buffer.from(opened.rootHash).equals(ROOTS[n] as Buffer)).toBe(true)
    }
  })
})

describe('verifyInclusion', () => {
  test('every leaf of every tree size verifies against its own checkpoint, and only its own', () => {
    for (let n = 1; n <= SIZE; n++) {
      for (let i = 0; i < n; i++) {
        const proof = inclusion(i, n)
        expect(verifyInclusion(proof, checkpointOf(n), KEYS.publicKey)).toBe(true)
        for (let m = 0; m <= SIZE; m++) {
          if (m === n) continue
          expect(verifyInclusion(proof, checkpointOf(m), KEYS.publicKey)).toBe(false)
          expect(verifyInclusion({ ...proof, treeSize: m }, checkpointOf(m), KEYS.publicKey)).toBe(false)
        }
      }
    }
  })

  test('a proof survives JSON, and every form of the public key verifies it', () => {
    const proof = JSON.parse(JSON.stringify(inclusion(6, SIZE))) as InclusionProof
    const keys: PublicKeyInput[] = [
      KEYS.publicKey,
      createPublicKey(KEYS.publicKey),
      createPrivateKey(KEYS.privateKey),
      KEYS.privateKey,
      verifierKeyFor(ORIGIN, KEYS.publicKey),
      `\n${KEYS.publicKey}`,
    ]
    for (const key of keys) expect(verifyInclusion(proof, checkpointOf(SIZE), key)).toBe(true)
  })

  test('a wrong key, or the right key under another name, gives false', () => {
    const proof = inclusion(6, SIZE)
    expect(verifyInclusion(proof, checkpointOf(SIZE), OTHER_KEYS.publicKey)).toBe(false)
    expect(verifyInclusion(proof, checkpointOf(SIZE), verifierKeyFor(ORIGIN, OTHER_KEYS.publicKey))).toBe(false)
    expect(verifyInclusion(proof, checkpointOf(SIZE), verifierKeyFor('other.example/log', KEYS.publicKey))).toBe(false)
  })

  test('every single bit flip of the leaf hash, of each audit path hash and of the signed root gives false', () => {
    for (const [i, n] of [
      [0, 13],
      [12, 13],
      [5, 8],
    ] as const) {
      const proof = inclusion(i, n)
      expect(verifyInclusion(proof, checkpointOf(n), PUBLIC_KEY)).toBe(true)
      for (let bit = 0; bit < 256; bit++) {
        const leafHash = flipBit(proof.leafHash, bit)
        expect(verifyInclusion({ ...proof, leafHash }, checkpointOf(n), PUBLIC_KEY)).toBe(false)
        proof.auditPath.forEach((hash, k) => {
          const auditPath = proof.auditPath.with(k, flipBit(hash, bit))
          expect(verifyInclusion({ ...proof, auditPath }, checkpointOf(n), PUBLIC_KEY)).toBe(false)
        })
        const root = flipBit(encodeHash(ROOTS[n] as Buffer), bit)
        const resigned = checkpointNote(n, Buffer.from(root, 'base64'))
        expect(verifyInclusion(proof, resigned, PUBLIC_KEY)).toBe(false)
        const unsigned = checkpointOf(n).replace(encodeHash(ROOTS[n] as Buffer), root)
        expect(verifyInclusion(proof, unsigned, PUBLIC_KEY)).toBe(false)
      }
    }
  })

  test('a proof with a wrong index, size, leaf or path gives false', () => {
    const proof = inclusion(6, SIZE)
    const { auditPath } = proof
    const cases: InclusionProof[] = [
      { ...proof, leafIndex: 5 },
      { ...proof, leafIndex: 7 },
      { ...proof, leafIndex: SIZE },
      { ...proof, treeSize: SIZE - 1 },
      { ...proof, treeSize: SIZE + 1 },
      { ...proof, leafHash: encodeHash(LEAVES[7] as Buffer) },
      { ...proof, auditPath: auditPath.slice(0, -1) },
      { ...proof, auditPath: [...auditPath, encodeHash(EMPTY_ROOT)] },
      { ...proof, auditPath: auditPath.toReversed() },
      { ...proof, auditPath: [] },
    ]
    for (const bad of cases) expect(verifyInclusion(bad, checkpointOf(SIZE), KEYS.publicKey)).toBe(false)
  })

  test('a checkpoint whose size is not the proof tree size gives false, even when its root fits the proof', () => {
    const proof = inclusion(5, 8)
    const lying = checkpointNote(7, ROOTS[8])
    expect(verifyInclusion(proof, checkpointOf(8), PUBLIC_KEY)).toBe(true)
    expect(verifyInclusion(proof, lying, PUBLIC_KEY)).toBe(false)
  })

  test('malformed proofs give false, never an exception', () => {
    const proof = inclusion(6, SIZE)
    const leaf = LEAVES[6] as Buffer
    const sparse: string[] = [...proof.auditPath]
    delete sparse[1]
    const cases: unknown[] = [
      null,
      undefined,
      42,
      'proof',
      [],
      {},
      { ...proof, leafIndex: '6' },
      { ...proof, leafIndex: -1 },
      { ...proof, leafIndex: 6.5 },
      { ...proof, leafIndex: Number.NaN },
      { ...proof, treeSize: 2 ** 53 },
      { ...proof, treeSize: '13' },
      { ...proof, leafHash: leaf },
      { ...proof, leafHash: leaf.toString('hex') },
      { ...proof, leafHash: leaf.toString('base64url') },
      { ...proof, leafHash: proof.leafHash.replace(/=$/, '') },
      { ...proof, leafHash: ` ${proof.leafHash}` },
      { ...proof, leafHash: leaf.subarray(1).toString('base64') },
      { ...proof, leafHash: Buffer.concat([leaf, leaf.subarray(0, 1)]).toString('base64') },
      { ...proof, leafHash: undefined },
      { ...proof, auditPath: proof.auditPath.join(',') },
      { ...proof, auditPath: [...proof.auditPath, 42] },
      { ...proof, auditPath: sparse },
      { ...proof, auditPath: Array.from({ length: 65 }, () => proof.leafHash) },
      {
        get leafIndex(): number {
          throw new Error('trap')
        },
      },
    ]
    for (const bad of cases) {
      expect(verifyInclusion(bad as InclusionProof, checkpointOf(SIZE), KEYS.publicKey)).toBe(false)
    }
  })

  test('bad public keys give false', () => {
    const proof = inclusion(6, SIZE)
    for (const [, key] of BAD_PUBLIC_KEYS) {
      expect(verifyInclusion(proof, checkpointOf(SIZE), key as PublicKeyInput)).toBe(false)
    }
  })
})

describe('malformed checkpoints', () => {
  const note = checkpointOf(SIZE)
  const text = formatCheckpoint({ origin: ORIGIN, size: SIZE, rootHash: ROOTS[SIZE] as Buffer })
  const signatures = note.slice(text.length + 1)
  const cases: readonly [string, unknown, NoteErrorReason][] = [
    ['no final newline', note.slice(0, -1), 'malformed-note'],
    ['cut inside the root hash', note.slice(0, 40), 'malformed-note'],
    ['no signature', text, 'malformed-note'],
    ['a blank line and no signature', `${text}\n`, 'malformed-note'],
    ['a blank line after the signature', `${note}\n`, 'malformed-note'],
    ['an extra blank line before the signature', `${text}\n\n${signatures}`, 'invalid-signature'],
    ['garbage', 'hello world', 'malformed-note'],
    ['the empty string', '', 'malformed-note'],
    ['a number', 42, 'malformed-note'],
    ['null', null, 'malformed-note'],
    ['bytes', Buffer.from(note), 'malformed-note'],
    ['a signature by another key only', signNote(text, noteSignerFor(OTHER_KEYS.privateKey, ORIGIN)), 'unverified'],
    [
      'a signature for other text',
      `${text.replace(`\n${SIZE}\n`, `\n${SIZE - 1}\n`)}\n${signatures}`,
      'invalid-signature',
    ],
    [
      'a blank line inside the text, signed',
      signNote(`${ORIGIN}\n\n${text.slice(ORIGIN.length + 1)}`, SIGNER),
      'malformed-checkpoint',
    ],
    [
      'a size past 2^53 - 1, signed',
      signNote(`${ORIGIN}\n9007199254740992\n${encodeHash(EMPTY_ROOT)}\n`, SIGNER),
      'malformed-checkpoint',
    ],
    [
      'a huge size, signed',
      signNote(`${ORIGIN}\n${'9'.repeat(40)}\n${encodeHash(EMPTY_ROOT)}\n`, SIGNER),
      'malformed-checkpoint',
    ],
    [
      'a 31-byte root, signed',
      signNote(`${ORIGIN}\n1\n${Buffer.alloc(31).toString('base64')}\n`, SIGNER),
      'malformed-checkpoint',
    ],
    ['a missing root line, signed', signNote(`${ORIGIN}\n1\n`, SIGNER), 'malformed-checkpoint'],
  ]

  test.each(cases)('%s: openCheckpoint throws, verifyInclusion and verifyConsistency give false', (_, bad, reason) => {
    expectNoteError(() => openCheckpoint(bad as string, KEYS.publicKey), reason)
    expect(verifyInclusion(inclusion(6, SIZE), bad as string, KEYS.publicKey)).toBe(false)
    expect(verifyConsistency(consistency(SIZE, SIZE), bad as string, note, KEYS.publicKey)).toBe(false)
    expect(verifyConsistency(consistency(SIZE, SIZE), note, bad as string, KEYS.publicKey)).toBe(false)
  })

  test('the valid note opens, so each case above fails for its own reason', () => {
    expect(openCheckpoint(note, KEYS.publicKey).size).toBe(SIZE)
    expect(openCheckpoint(`${text}\n${signatures}`, KEYS.publicKey).size).toBe(SIZE)
  })

  test('witness cosignatures by unknown keys are allowed beside the log signature', () => {
    const cosigned = signNote(text, SIGNER, noteSignerFor(OTHER_KEYS.privateKey, 'witness.example/w'))
    expect(openCheckpoint(cosigned, KEYS.publicKey).size).toBe(SIZE)
    expect(verifyInclusion(inclusion(6, SIZE), cosigned, KEYS.publicKey)).toBe(true)
  })

  test('an origin that cannot name a key: refused for a PEM key, read with a verifier key string', () => {
    const logSigner = noteSignerFor(KEYS.privateKey, 'log')
    const spaced = signNote(formatCheckpoint({ origin: 'my log', size: 1, rootHash: EMPTY_ROOT }), logSigner)
    expectNoteError(() => openCheckpoint(spaced, KEYS.publicKey), 'malformed-checkpoint')
    expect(openCheckpoint(spaced, logSigner.verifierKey).origin).toBe('my log')
  })

  test('a bad key is reported before the note is read', () => {
    for (const [, key] of BAD_PUBLIC_KEYS) {
      expectValidationError(() => openCheckpoint(note, key as PublicKeyInput), 'publicKey')
      expectValidationError(() => openCheckpoint('garbage', key as PublicKeyInput), 'publicKey')
    }
  })

  test('every NoteError is an AuditLogError', () => {
    const error = thrown(() => openCheckpoint(note, OTHER_KEYS.publicKey))
    expect(error).toBeInstanceOf(AuditLogError)
    expect(error).toMatchObject({ name: 'NoteError', reason: 'unverified' })
    const made = new NoteError('invalid-signature', 'bad', { cause: 'x' })
    expect([made instanceof AuditLogError, made.name, made.reason, made.cause]).toEqual([
      true,
      'NoteError',
      'invalid-signature',
      'x',
    ])
  })
})

describe('verifyConsistency', () => {
  test('every pair of tree sizes 0 <= m <= n verifies, and never swapped', () => {
    for (let n = 0; n <= SIZE; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistency(m, n)
        expect(verifyConsistency(proof, checkpointOf(m), checkpointOf(n), KEYS.publicKey)).toBe(true)
        if (m === n) continue
        expect(verifyConsistency(proof, checkpointOf(n), checkpointOf(m), KEYS.publicKey)).toBe(false)
        const swapped = { ...proof, oldSize: n, newSize: m }
        expect(verifyConsistency(swapped, checkpointOf(n), checkpointOf(m), KEYS.publicKey)).toBe(false)
      }
    }
  })

  test('every form of the public key verifies; a wrong key gives false', () => {
    const proof = JSON.parse(JSON.stringify(consistency(5, SIZE))) as ConsistencyProof
    for (const key of [KEYS.publicKey, createPublicKey(KEYS.publicKey), verifierKeyFor(ORIGIN, KEYS.publicKey)]) {
      expect(verifyConsistency(proof, checkpointOf(5), checkpointOf(SIZE), key)).toBe(true)
    }
    expect(verifyConsistency(proof, checkpointOf(5), checkpointOf(SIZE), OTHER_KEYS.publicKey)).toBe(false)
    for (const [, key] of BAD_PUBLIC_KEYS) {
      expect(verifyConsistency(proof, checkpointOf(5), checkpointOf(SIZE), key as PublicKeyInput)).toBe(false)
    }
  })

  test('every single bit flip of a path hash or of either signed root gives false', () => {
    for (const [m, n] of [
      [5, 13],
      [4, 13],
      [7, 8],
    ] as const) {
      const proof = consistency(m, n)
      expect(verifyConsistency(proof, checkpointOf(m), checkpointOf(n), PUBLIC_KEY)).toBe(true)
      for (let bit = 0; bit < 256; bit++) {
        proof.path.forEach((hash, k) => {
          const path = proof.path.with(k, flipBit(hash, bit))
          expect(verifyConsistency({ ...proof, path }, checkpointOf(m), checkpointOf(n), PUBLIC_KEY)).toBe(false)
        })
        const oldRoot = Buffer.from(flipBit(encodeHash(ROOTS[m] as Buffer), bit), 'base64')
        const newRoot = Buffer.from(flipBit(encodeHash(ROOTS[n] as Buffer), bit), 'base64')
        expect(verifyConsistency(proof, checkpointNote(m, oldRoot), checkpointOf(n), PUBLIC_KEY)).toBe(false)
        expect(verifyConsistency(proof, checkpointOf(m), checkpointNote(n, newRoot), PUBLIC_KEY)).toBe(false)
      }
    }
  })

  test('checkpoints of two origins give false, even both signed by the key', () => {
    const proof = consistency(5, SIZE)
    const elsewhere = checkpointNote(SIZE, ROOTS[SIZE], 'other.example/log')
    // Signed under the log's own key name, so that a verifier key string accepts it too.
    const resigned = signNote(
      formatCheckpoint({ origin: 'other.example/log', size: 5, rootHash: ROOTS[5] as Buffer }),
      SIGNER,
    )
    const vkey = verifierKeyFor(ORIGIN, KEYS.publicKey)
    expect(openCheckpoint(resigned, vkey).origin).toBe('other.example/log')
    expect(verifyConsistency(proof, resigned, checkpointOf(SIZE), vkey)).toBe(false)
    expect(verifyConsistency(proof, checkpointOf(5), elsewhere, KEYS.publicKey)).toBe(false)
  })

  test('checkpoints whose sizes are not the proof sizes give false, even when their roots fit the proof', () => {
    const proof = consistency(5, 8)
    expect(verifyConsistency(proof, checkpointOf(5), checkpointOf(8), PUBLIC_KEY)).toBe(true)
    expect(verifyConsistency(proof, checkpointNote(4, ROOTS[5]), checkpointOf(8), PUBLIC_KEY)).toBe(false)
    expect(verifyConsistency(proof, checkpointOf(5), checkpointNote(9, ROOTS[8]), PUBLIC_KEY)).toBe(false)
  })

  test('sizes that do not match the checkpoints, and malformed proofs, give false', () => {
    const proof = consistency(5, SIZE)
    const cases: unknown[] = [
      { ...proof, oldSize: 4 },
      { ...proof, oldSize: 6 },
      { ...proof, newSize: SIZE - 1 },
      { ...proof, path: [] },
      { ...proof, path: proof.path.slice(1) },
      { ...proof, path: [...proof.path, encodeHash(EMPTY_ROOT)] },
      { ...proof, path: proof.path.toReversed() },
      { ...proof, path: proof.path.map((h) => Buffer.from(h, 'base64').toString('hex')) },
      { ...proof, path: 'abc' },
      { ...proof, oldSize: '5' },
      { ...proof, newSize: -1 },
      { oldSize: 5, newSize: SIZE },
      null,
      42,
      'proof',
    ]
    for (const bad of cases) {
      expect(verifyConsistency(bad as ConsistencyProof, checkpointOf(5), checkpointOf(SIZE), KEYS.publicKey)).toBe(
        false,
      )
    }
  })
})

describe('keys', () => {
  test('generateKeyPair: PEM strings of one new Ed25519 key, different each time', () => {
    const pair = generateKeyPair()
    expect(pair.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/)
    expect(pair.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/)
    expect(createPrivateKey(pair.privateKey).asymmetricKeyType).toBe('ed25519')
    expect(createPublicKey(pair.privateKey).export({ format: 'pem', type: 'spki' })).toBe(pair.publicKey)
    expect(generateKeyPair().privateKey).not.toBe(pair.privateKey)
  })

  test('generateKeyPair round trip: what its private key signs, its public key opens, and no other', () => {
    const pair = generateKeyPair()
    const note = signNote(
      formatCheckpoint({ origin: ORIGIN, size: 3, rootHash: ROOTS[3] as Buffer }),
      noteSignerFor(pair.privateKey, ORIGIN),
    )
    const opened = openCheckpoint(note, pair.publicKey)
    expect({ ...opened, rootHash: Buffer.from(opened.rootHash) }).toEqual({
      origin: ORIGIN,
      size: 3,
      rootHash: ROOTS[3],
      extensions: [],
    })
    expectNoteError(() => openCheckpoint(note, KEYS.publicKey), 'unverified')
  })

  test('noteKeysFor: a PEM key is named after the origin, a verifier key string keeps its name', () => {
    const [fromPem] = noteKeysFor(KEYS.publicKey, ORIGIN)
    expect([fromPem?.name, fromPem?.keyId, fromPem?.verifierKey]).toEqual([ORIGIN, SIGNER.keyId, SIGNER.verifierKey])
    const [fromObject] = noteKeysFor(createPrivateKey(KEYS.privateKey), ORIGIN)
    expect([fromObject?.name, fromObject?.keyId]).toEqual([ORIGIN, SIGNER.keyId])
    const [named] = noteKeysFor(SIGNER.verifierKey, 'ignored.example/log')
    expect([named?.name, named?.keyId]).toEqual([ORIGIN, SIGNER.keyId])
    const both = noteKeysFor([KEYS.publicKey, OTHER_KEYS.publicKey], ORIGIN)
    expect(both.map((k) => k.name)).toEqual([ORIGIN, ORIGIN])
    expect(both[1]?.keyId).not.toBe(both[0]?.keyId)
  })

  test('noteKeysFor refuses anything but an Ed25519 public key with a ValidationError, never a raw error', () => {
    for (const [what, key] of BAD_PUBLIC_KEYS) {
      const error = thrown(() => noteKeysFor(key as PublicKeyInput, ORIGIN))
      expect(error, what).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).issues, what).toEqual([{ field: 'publicKey', message: expect.any(String) }])
    }
    const inList = thrown(() => noteKeysFor([KEYS.publicKey, 'not a key'], ORIGIN)) as ValidationError
    expect(inList.issues).toEqual([{ field: 'publicKey[1]', message: expect.any(String) }])
    expectValidationError(() => noteKeysFor([], ORIGIN), 'publicKey')
    expectValidationError(() => noteKeysFor(KEYS.publicKey, 'has space'), 'origin')
  })

  test('noteSignerFor refuses public keys and anything but an Ed25519 private key', () => {
    const bad: unknown[] = [
      KEYS.publicKey,
      createPublicKey(KEYS.publicKey),
      SIGNER.verifierKey,
      RSA.privateKey,
      RSA.privateKey.export({ format: 'pem', type: 'pkcs8' }),
      EC.privateKey,
      createSecretKey(Buffer.alloc(32)),
      'garbage',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      42,
      null,
      undefined,
    ]
    for (const key of bad) expectValidationError(() => noteSignerFor(key as string, ORIGIN), 'signingKey')
    expectValidationError(() => noteSignerFor(KEYS.privateKey, 'a+b'), 'origin')
    expectValidationError(() => noteSignerFor(KEYS.privateKey, ''), 'origin')
  })

  test('noteSignerFor takes a PEM string or a KeyObject, named after the origin', () => {
    const fromObject = noteSignerFor(createPrivateKey(KEYS.privateKey), ORIGIN)
    expect(fromObject.verifierKey).toBe(SIGNER.verifierKey)
    expect(SIGNER.verifierKey).toBe(verifierKeyFor(ORIGIN, KEYS.publicKey))
    expect(SIGNER.name).toBe(ORIGIN)
  })
})

describe('encodeHash and decodeHash', () => {
  test('standard base64 of 32 bytes, both ways', () => {
    expect(encodeHash(EMPTY_ROOT)).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
    for (const leaf of LEAVES) expect(Buffer.from(decodeHash(encodeHash(leaf)) ?? []).equals(leaf)).toBe(true)
    expect(encodeHash(new Uint8Array(EMPTY_ROOT))).toBe(encodeHash(EMPTY_ROOT))
    expect(encodeHash(Buffer.concat([Buffer.alloc(3), EMPTY_ROOT]).subarray(3))).toBe(encodeHash(EMPTY_ROOT))
  })

  test('decodeHash refuses anything but the canonical base64 of 32 bytes', () => {
    const good = encodeHash(EMPTY_ROOT)
    const cases: unknown[] = [
      undefined,
      null,
      42,
      EMPTY_ROOT,
      '',
      EMPTY_ROOT.toString('hex'),
      EMPTY_ROOT.toString('base64url'),
      good.slice(0, -1),
      `${good}=`,
      ` ${good.slice(1)}`,
      `${good.slice(0, 20)}\n${good.slice(21)}`,
      '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=',
      Buffer.alloc(31).toString('base64'),
      Buffer.alloc(33).toString('base64'),
      '!'.repeat(44),
    ]
    for (const bad of cases) expect(decodeHash(bad)).toBeUndefined()
  })

  test('encodeHash refuses anything but 32 bytes', () => {
    for (const bad of [Buffer.alloc(31), Buffer.alloc(33), 'abc', null]) {
      expectValidationError(() => encodeHash(bad as Uint8Array), 'hash')
    }
  })
})
