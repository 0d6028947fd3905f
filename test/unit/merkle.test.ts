import { createCipheriv } from 'node:crypto'
import { beforeAll, describe, expect, test } from 'vitest'
import { ValidationError } from '../../src/errors.js'
import {
  consistencyProof,
  EMPTY_ROOT,
  type GetNode,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  type MerkleNode,
  nodeHash,
  rootFromLeaves,
  rootFromNodes,
  verifyConsistency,
  verifyInclusion,
} from '../../src/tlog/merkle.js'
import { seededRandom } from '../verify/random-entry.js'
import {
  CONSISTENCY_NODES,
  CONSISTENCY_PROOFS,
  CONSISTENCY_REJECTED,
  HASHER,
  INCLUSION_NODES,
  INCLUSION_PROOFS,
  INCLUSION_REJECTED,
  LEAVES,
  type ProofNode,
  ROOTS,
} from './merkle-vectors.js'

const hex = (s: string): Buffer => Buffer.from(s, 'hex')
const toHex = (hashes: readonly Uint8Array[]): string[] => hashes.map((h) => Buffer.from(h).toString('hex'))
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(b)

/** A seeded PRNG (mulberry32), so that every random case is the same on every run. */
function random(seed: number): (below: number) => number {
  const next = seededRandom(seed)
  return (below) => Math.floor(next() * below)
}

function flipBit(hash: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(hash)
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7))
  return copy
}

const largestPowerOfTwoBelow = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1)

// RFC 6962 §2.1.1 PATH and §2.1.2 PROOF / SUBPROOF, transcribed literally as recursions over the
// leaf list: the reference that the storage-based, iterative proofs must reproduce exactly.
function refPath(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length <= 1) return []
  const k = largestPowerOfTwoBelow(d.length)
  return m < k
    ? [...refPath(m, d.slice(0, k)), rootFromLeaves(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), rootFromLeaves(d.slice(0, k))]
}

function refSubproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [rootFromLeaves(d)]
  const k = largestPowerOfTwoBelow(d.length)
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), rootFromLeaves(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), rootFromLeaves(d.slice(0, k))]
}

/** The root an audit path leads to under the recursive definition, or null if it does not fit. */
function refRootFromPath(m: number, n: number, leaf: Buffer, path: readonly Buffer[]): Buffer | null {
  if (n === 1) return path.length === 0 ? leaf : null
  const last = path.at(-1)
  if (last === undefined) return null
  const k = largestPowerOfTwoBelow(n)
  const below =
    m < k ? refRootFromPath(m, k, leaf, path.slice(0, -1)) : refRootFromPath(m - k, n - k, leaf, path.slice(0, -1))
  if (below === null) return null
  return m < k ? nodeHash(below, last) : nodeHash(last, below)
}

/** Node (level, index) computed straight from the leaves by the reference MTH, with no store. */
function referenceNode(leaves: readonly Buffer[], level: number, index: number): Buffer {
  const end = (index + 1) * 2 ** level
  if (end > leaves.length) throw new Error(`node ${level}/${index} is not a perfect subtree of ${leaves.length} leaves`)
  return rootFromLeaves(leaves.slice(index * 2 ** level, end))
}

/** A node store filled only from what MerkleFrontier.append reports, as a sealing process would. */
class NodeStore {
  readonly nodes = new Map<number, Buffer>()
  calls: [number, number][] = []
  put(nodes: readonly MerkleNode[]): void {
    for (const n of nodes) this.nodes.set(n.index * 64 + n.level, n.hash)
  }
  readonly get: GetNode = (level, index) => {
    this.calls.push([level, index])
    const hash = this.nodes.get(index * 64 + level)
    if (hash === undefined) throw new Error(`no node ${level}/${index}`)
    return hash
  }
}

function grow(leaves: readonly Buffer[]): { frontier: MerkleFrontier; store: NodeStore } {
  const frontier = new MerkleFrontier()
  const store = new NodeStore()
  for (const leaf of leaves) store.put(frontier.append(leaf))
  return { frontier, store }
}

const leavesFor = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)))
const bitLength = (n: number): number => Math.ceil(Math.log2(n + 1))

/**
 * Collects the cases that break a property, for one expect() at the end: an expect() per case
 * costs more than the hashing in the loops below.
 */
class Failures {
  readonly list: string[] = []
  check(ok: boolean, what: () => string): void {
    if (!ok && this.list.length < 20) this.list.push(what())
  }
}

/** Whether every stored node read was a perfect subtree inside a tree of n leaves, and few. */
const readsFit = (calls: readonly [number, number][], n: number): boolean =>
  calls.length <= 2 * bitLength(n) && calls.every(([level, index]) => (index + 1) * 2 ** level <= n)

const N = 300
const LEAVES_300 = leavesFor(N)
const ROOTS_300 = Array.from({ length: N + 1 }, (_, n) => rootFromLeaves(LEAVES_300.slice(0, n)))
const TREE_300 = grow(LEAVES_300)

describe('hashes', () => {
  test('EMPTY_ROOT, leafHash and the empty tree match transparency-dev/merkle', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(HASHER.emptyRoot)
    expect(rootFromLeaves([]).toString('hex')).toBe(HASHER.emptyRoot)
    expect(leafHash(new Uint8Array()).toString('hex')).toBe(HASHER.emptyLeaf)
    expect(leafHash(Buffer.from('L123456')).toString('hex')).toBe(HASHER.leafL123456)
  })

  test('a node is not the leaf of its children, and child order matters', () => {
    const [a, b] = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))]
    expect(same(nodeHash(a, b), leafHash(Buffer.concat([a, b])))).toBe(false)
    expect(same(nodeHash(a, b), nodeHash(b, a))).toBe(false)
  })

  test('writing into EMPTY_ROOT changes nothing in the module', () => {
    const saved = Buffer.from(EMPTY_ROOT)
    EMPTY_ROOT.fill(0)
    try {
      expect(new MerkleFrontier().root().toString('hex')).toBe(HASHER.emptyRoot)
      expect(rootFromLeaves([]).toString('hex')).toBe(HASHER.emptyRoot)
      expect(verifyConsistency(0, 0, saved, saved, [])).toBe(true)
      expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(false)
    } finally {
      saved.copy(EMPTY_ROOT)
    }
  })

  test('nodeHash and rootFromLeaves refuse hashes that are not 32 bytes', () => {
    const a = leafHash(Buffer.from('a'))
    expect(() => nodeHash(a, a.subarray(1))).toThrow(ValidationError)
    expect(() => nodeHash(Buffer.concat([a, Buffer.of(0)]), a)).toThrow(ValidationError)
    expect(() => rootFromLeaves([a, Buffer.alloc(31)])).toThrow(ValidationError)
  })
})

describe('published vectors (transparency-dev/merkle)', () => {
  const leaves = LEAVES.map((d) => leafHash(hex(d)))
  const { frontier, store } = grow(leaves)

  test('roots of trees of 1 to 8 leaves, by every route', () => {
    for (let n = 1; n <= 8; n++) {
      const want = ROOTS[n - 1]
      expect(rootFromLeaves(leaves.slice(0, n)).toString('hex')).toBe(want)
      expect(grow(leaves.slice(0, n)).frontier.root().toString('hex')).toBe(want)
      expect(rootFromNodes(n, store.get).toString('hex')).toBe(want)
    }
    expect(frontier.size).toBe(8)
  })

  test('inclusion proofs are generated and verified as published', () => {
    for (const { leafIndex, treeSize, path } of INCLUSION_PROOFS) {
      const root = hex(ROOTS[treeSize - 1] as string)
      expect(toHex(inclusionProof(leafIndex, treeSize, store.get))).toEqual(path)
      expect(verifyInclusion(leafIndex, treeSize, leaves[leafIndex] as Buffer, path.map(hex), root)).toBe(true)
    }
  })

  test('consistency proofs are generated and verified as published', () => {
    for (const { oldSize, newSize, proof } of CONSISTENCY_PROOFS) {
      const [oldRoot, newRoot] = [hex(ROOTS[oldSize - 1] as string), hex(ROOTS[newSize - 1] as string)]
      expect(toHex(consistencyProof(oldSize, newSize, store.get))).toEqual(proof)
      expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.map(hex))).toBe(true)
    }
  })

  test('every corruption of a published inclusion proof is refused', () => {
    const someHash = hex('abacaba000000000000000000000000000000000000000000060061e00123456')
    for (const { leafIndex: i, treeSize: n, path: p } of INCLUSION_PROOFS.slice(1)) {
      const [path, root, leaf] = [p.map(hex), hex(ROOTS[n - 1] as string), leaves[i] as Buffer]
      const probes: [number, number, Buffer, Buffer[], Buffer][] = [
        [i - 1, n, leaf, path, root],
        [i + 1, n, leaf, path, root],
        [i ^ 2, n, leaf, path, root],
        [i, n * 2, leaf, path, root],
        [i, Math.floor(n / 2), leaf, path, root],
        [i, n, leafHash(Buffer.from('WrongLeaf')), path, root],
        [i, n, leaf, path, EMPTY_ROOT],
        [i, n, leaf, path, someHash],
        [i, n, leaf, [...path, root], root],
        [i, n, leaf, [root, ...path], root],
        [i, n, leaf, path.slice(0, -1), root],
        [i, n, leaf, [path[0] as Buffer, someHash, ...path.slice(1)], root],
        ...path.map((_, k): [number, number, Buffer, Buffer[], Buffer] => {
          const wrong = [...path]
          wrong[k] = flipBit(path[k] as Buffer, 3)
          return [i, n, leaf, wrong, root]
        }),
      ]
      for (const [index, size, l, proof, r] of probes) expect(verifyInclusion(index, size, l, proof, r)).toBe(false)
    }
  })

  test('every corruption of a published consistency proof is refused', () => {
    for (const { oldSize: m, newSize: n, proof: p } of CONSISTENCY_PROOFS.slice(1)) {
      const [proof, r1, r2] = [p.map(hex), hex(ROOTS[m - 1] as string), hex(ROOTS[n - 1] as string)]
      const probes: [number, number, Buffer, Buffer, Buffer[]][] = [
        [m - 1, n, r1, r2, proof],
        [m + 1, n, r1, r2, proof],
        [m ^ 2, n, r1, r2, proof],
        [m, n * 2, r1, r2, proof],
        [m, Math.floor(n / 2), r1, r2, proof],
        [m, n, leafHash(Buffer.from('WrongRoot')), r2, proof],
        [m, n, r1, leafHash(Buffer.from('WrongRoot')), proof],
        [m, n, r2, r1, proof],
        [m, n, r1, r2, []],
        [m, n, r1, r2, [...proof, r1]],
        [m, n, r1, r2, [...proof, r2]],
        [m, n, r1, r2, [r1, ...proof]],
        [m, n, r1, r2, [r2, ...proof]],
        [m, n, r1, r2, [proof[0] as Buffer, ...proof]],
        [m, n, r1, r2, proof.slice(0, -1)],
        ...proof.map((_, k): [number, number, Buffer, Buffer, Buffer[]] => {
          const wrong = [...proof]
          wrong[k] = flipBit(proof[k] as Buffer, 4)
          return [m, n, r1, r2, wrong]
        }),
      ]
      for (const [a, b, x, y, pr] of probes) expect(verifyConsistency(a, b, x, y, pr)).toBe(false)
    }
  })
})

describe('proofs use exactly the published stored nodes (transparency-dev/merkle proof_test.go)', () => {
  const leaves = LEAVES_300.slice(0, 95)
  const { store } = grow(leaves)
  // Expected hashes come from the reference MTH over the leaves, not from the store.
  const resolve = (node: ProofNode): Buffer => {
    if (!('joined' in node)) return referenceNode(leaves, node[0], node[1])
    const [first, ...rest] = node.joined.map(([level, index]) => referenceNode(leaves, level, index))
    return rest.reduce((acc, h) => nodeHash(h, acc), first as Buffer)
  }
  const idsOf = (nodes: readonly ProofNode[]): string[] =>
    nodes.flatMap((n) => ('joined' in n ? n.joined : [n])).map(([l, i]) => `${l}/${i}`)

  test('inclusion', () => {
    for (const { treeSize, leafIndex, nodes } of INCLUSION_NODES) {
      store.calls = []
      expect(toHex(inclusionProof(leafIndex, treeSize, store.get))).toEqual(toHex(nodes.map(resolve)))
      expect(store.calls.map(([l, i]) => `${l}/${i}`).sort()).toEqual(idsOf(nodes).sort())
    }
    for (const [size, index] of INCLUSION_REJECTED) {
      expect(() => inclusionProof(index, size, store.get)).toThrow(ValidationError)
    }
  })

  test('consistency', () => {
    for (const { oldSize, newSize, nodes } of CONSISTENCY_NODES) {
      store.calls = []
      expect(toHex(consistencyProof(oldSize, newSize, store.get))).toEqual(toHex(nodes.map(resolve)))
      expect(store.calls.map(([l, i]) => `${l}/${i}`).sort()).toEqual(idsOf(nodes).sort())
    }
    for (const [oldSize, newSize] of CONSISTENCY_REJECTED) {
      expect(() => consistencyProof(oldSize, newSize, store.get)).toThrow(ValidationError)
    }
  })
})

describe('MerkleFrontier', () => {
  test('push() reports exactly the nodes append() returns, and reaches the same roots', () => {
    const appended = new MerkleFrontier()
    const pushed = new MerkleFrontier()
    for (let n = 1; n <= N; n++) {
      const leaf = LEAVES_300[n - 1] as Buffer
      const expected = appended.append(leaf).map((node) => `${node.level}/${node.index}/${node.hash.toString('hex')}`)
      const reported: string[] = []
      pushed.push(Buffer.from(leaf), (level, index, hash) => reported.push(`${level}/${index}/${hash.toString('hex')}`))
      expect(reported).toEqual(expected)
      expect(pushed.root().equals(appended.root())).toBe(true)
    }
    expect(() => pushed.push(Buffer.alloc(31))).toThrow(ValidationError)
  })

  test('its root equals the reference root at every size from 0 to 300', () => {
    const frontier = new MerkleFrontier()
    expect(frontier.root().equals(EMPTY_ROOT)).toBe(true)
    for (let n = 1; n <= N; n++) {
      frontier.append(LEAVES_300[n - 1] as Buffer)
      expect(frontier.size).toBe(n)
      expect(toHex([frontier.root()])).toEqual(toHex([ROOTS_300[n] as Buffer]))
    }
  })

  test('append reports each perfect subtree once, when it completes, with its reference hash', () => {
    const frontier = new MerkleFrontier()
    const seen = new Set<string>()
    for (let s = 0; s < N; s++) {
      const nodes = frontier.append(LEAVES_300[s] as Buffer)
      // Leaf s completes the subtrees at levels 0..t, where t counts the trailing 1 bits of s.
      let t = 0
      while (Math.floor(s / 2 ** t) % 2 === 1) t++
      expect(nodes.map((n) => [n.level, n.index])).toEqual(
        Array.from({ length: t + 1 }, (_, level) => [level, Math.floor(s / 2 ** level)]),
      )
      for (const n of nodes) {
        expect(same(n.hash, referenceNode(LEAVES_300, n.level, n.index))).toBe(true)
        seen.add(`${n.level}/${n.index}`)
      }
    }
    let perfect = 0
    for (let level = 0; 2 ** level <= N; level++) perfect += Math.floor(N / 2 ** level)
    expect(seen.size).toBe(perfect)
  })

  test('a node the caller changes after append does not change the tree', () => {
    const frontier = new MerkleFrontier()
    for (const leaf of LEAVES_300.slice(0, 3)) for (const n of frontier.append(leaf)) n.hash.fill(0)
    expect(same(frontier.root(), ROOTS_300[3] as Buffer)).toBe(true)
  })

  test('survives toJSON / fromJSON, fromHashes and fromNodes at every size, and keeps growing the same', () => {
    const frontier = new MerkleFrontier()
    for (let n = 0; n <= N; n++) {
      if (n > 0) frontier.append(LEAVES_300[n - 1] as Buffer)
      const text = JSON.stringify(frontier)
      TREE_300.store.calls = []
      const restored = [
        MerkleFrontier.fromJSON(JSON.parse(text)),
        MerkleFrontier.fromHashes(n, frontier.hashes()),
        MerkleFrontier.fromNodes(n, TREE_300.store.get),
      ]
      // fromNodes reads one stored node per set bit of n: the right edge, nothing more.
      expect(TREE_300.store.calls.length).toBe(frontier.hashes().length)
      for (const r of restored) {
        expect(r.size).toBe(n)
        expect(JSON.stringify(r)).toBe(text)
        expect(same(r.root(), ROOTS_300[n] as Buffer)).toBe(true)
      }
      if (n % 37 === 0) {
        // Sealing resumed after a restart reports the same nodes and reaches the same roots.
        const resumed = MerkleFrontier.fromJSON(JSON.parse(text))
        for (let s = n; s < Math.min(N, n + 40); s++) {
          const leaf = LEAVES_300[s] as Buffer
          const got = resumed.append(leaf)
          for (const node of got) expect(same(node.hash, referenceNode(LEAVES_300, node.level, node.index))).toBe(true)
          expect(same(resumed.root(), ROOTS_300[s + 1] as Buffer)).toBe(true)
        }
      }
    }
    expect(frontier.toJSON()).toEqual({ size: N, hashes: toHex(frontier.hashes()) })
    expect(frontier.hashes()).toHaveLength(4) // 300 = 256 + 32 + 8 + 4
  })

  test('refuses malformed state and leaves', () => {
    const good = grow(LEAVES_300.slice(0, 5)).frontier.toJSON() // size 5: two hashes
    const [h4, h1] = good.hashes as [string, string]
    const bad: unknown[] = [
      null,
      'frontier',
      [],
      {},
      { size: 5 },
      { size: 5, hashes: [h4] },
      { size: 5, hashes: [h4, h1, h1] },
      { size: 4, hashes: [h4, h1] },
      { size: 7, hashes: [h4, h1] },
      { size: -1, hashes: [] },
      { size: 1.5, hashes: [h4] },
      { size: '5', hashes: [h4, h1] },
      { size: 2 ** 53, hashes: [h4] },
      { size: 5, hashes: [h4, h1.slice(2)] },
      { size: 5, hashes: [h4, `${h1}00`] },
      { size: 5, hashes: [h4, `${h1.slice(1)}g`] },
      { size: 5, hashes: [h4, 7] },
      { size: 5, hashes: 'nope' },
    ]
    for (const json of bad) expect(() => MerkleFrontier.fromJSON(json)).toThrow(ValidationError)
    expect(MerkleFrontier.fromJSON({ size: 5, hashes: [h4.toUpperCase(), h1] }).root()).toEqual(
      MerkleFrontier.fromJSON(good).root(),
    )
    expect(() => MerkleFrontier.fromHashes(5, [hex(h4), hex(h1).subarray(1)])).toThrow(ValidationError)
    expect(() => MerkleFrontier.fromHashes(5, [hex(h4)])).toThrow(ValidationError)
    const frontier = new MerkleFrontier()
    for (const leaf of [Buffer.alloc(31), Buffer.alloc(33), new Uint8Array(), 'x'.repeat(32)]) {
      expect(() => frontier.append(leaf as Uint8Array)).toThrow(ValidationError)
    }
    expect(frontier.size).toBe(0)
    const full = MerkleFrontier.fromHashes(Number.MAX_SAFE_INTEGER, Array(53).fill(EMPTY_ROOT))
    expect(() => full.append(EMPTY_ROOT)).toThrow(ValidationError)
  })

  test('fromNodes lets errors from the store through', () => {
    expect(() => MerkleFrontier.fromNodes(301, TREE_300.store.get)).toThrow(/no node 0\/300/)
  })
})

describe('proofs from stored nodes, every tree up to 300 leaves', () => {
  const { store } = TREE_300

  test('every inclusion proof verifies, reads only perfect nodes inside the tree, and matches RFC 6962 PATH', () => {
    const failures = new Failures()
    for (let n = 1; n <= N; n++) {
      const root = ROOTS_300[n] as Buffer
      for (let i = 0; i < n; i++) {
        store.calls = []
        const path = inclusionProof(i, n, store.get)
        failures.check(readsFit(store.calls, n), () => `reads for ${i} in ${n}: ${store.calls.join(' ')}`)
        failures.check(verifyInclusion(i, n, LEAVES_300[i] as Buffer, path, root), () => `verify ${i} in ${n}`)
        if (n <= 40) {
          const want = toHex(refPath(i, LEAVES_300.slice(0, n))).join()
          failures.check(toHex(path).join() === want, () => `path ${i} in ${n}`)
        }
      }
    }
    expect(failures.list).toEqual([])
  })

  test('consistency proofs verify, read only perfect nodes inside the tree, and match RFC 6962 PROOF', () => {
    // Every pair up to 100 leaves; past that, for each new size, 16 random old sizes and the edges.
    const next = random(3)
    const failures = new Failures()
    for (let n = 1; n <= N; n++) {
      const olds = n <= 100 ? Array.from({ length: n + 1 }, (_, m) => m) : [0, 1, 64, 100, n - 1, n]
      if (n > 100) for (let k = 0; k < 16; k++) olds.push(next(n + 1))
      for (const m of olds) {
        store.calls = []
        const proof = consistencyProof(m, n, store.get)
        failures.check(readsFit(store.calls, n), () => `reads for ${m} -> ${n}: ${store.calls.join(' ')}`)
        const ok = verifyConsistency(m, n, ROOTS_300[m] as Buffer, ROOTS_300[n] as Buffer, proof)
        failures.check(ok, () => `verify ${m} -> ${n}`)
        if (n <= 40 && m > 0) {
          const want = toHex(refSubproof(m, LEAVES_300.slice(0, n), true)).join()
          failures.check(toHex(proof).join() === want, () => `proof ${m} -> ${n}`)
        }
      }
    }
    expect(failures.list).toEqual([])
  })

  test('the root of any past size can be read back from the stored nodes', () => {
    for (let n = 0; n <= N; n++) expect(same(rootFromNodes(n, store.get), ROOTS_300[n] as Buffer)).toBe(true)
  })

  test('bad arguments throw a ValidationError; store errors pass through', () => {
    for (const [i, n] of [
      [-1, 5],
      [5, 5],
      [0, 0],
      [0.5, 5],
      [0, Number.NaN],
      [0, 2 ** 53],
    ] as const) {
      expect(() => inclusionProof(i, n, store.get)).toThrow(ValidationError)
    }
    for (const [m, n] of [
      [-1, 5],
      [6, 5],
      [1, 2.5],
      [1, Number.POSITIVE_INFINITY],
    ] as const) {
      expect(() => consistencyProof(m, n, store.get)).toThrow(ValidationError)
    }
    expect(() => rootFromNodes(-1, store.get)).toThrow(ValidationError)
    expect(() => inclusionProof(3, 301, store.get)).toThrow(/no node 0\/300/)
    expect(() => consistencyProof(3, 301, store.get)).toThrow(/no node 0\/300/)
    const shortNodes: GetNode = () => Buffer.alloc(31)
    expect(() => inclusionProof(3, 8, shortNodes)).toThrow(ValidationError)
  })
})

describe('a tree of 1,000,000 leaves', () => {
  const SIZE = 1_000_000
  const next = random(1)
  // Leaf hashes are pseudo-random bytes: the tree never looks inside a leaf hash, and this skips
  // a million SHA-256 calls.
  let leafBytes = Buffer.alloc(0)
  const leaf = (i: number): Buffer => leafBytes.subarray(32 * i, 32 * i + 32)
  // One buffer per level holds every perfect node the frontier reported.
  const levels: Buffer[] = []
  const getNode: GetNode = (level, index) => {
    const row = levels[level]
    if (row === undefined || index < 0 || 32 * (index + 1) > row.length) throw new Error(`no node ${level}/${index}`)
    return row.subarray(32 * index, 32 * index + 32)
  }
  const sizes = [...Array.from({ length: 200 }, () => 1 + next(SIZE)), 1, 2 ** 19 - 1, 2 ** 19, 2 ** 19 + 1, SIZE]
  const roots = new Map<number, Buffer>()
  const rootAt = (n: number): Buffer => roots.get(n) as Buffer
  const frontier = new MerkleFrontier()

  beforeAll(() => {
    // An AES-CTR key stream: deterministic, so a failure can be replayed, and fast.
    const stream = createCipheriv('aes-128-ctr', Buffer.alloc(16, 1), Buffer.alloc(16))
    leafBytes = Buffer.concat([stream.update(Buffer.alloc(32 * SIZE)), stream.final()])
    for (let level = 0; 2 ** level <= SIZE; level++) levels.push(Buffer.alloc(32 * Math.floor(SIZE / 2 ** level)))
    const checkpoints = new Set(sizes)
    for (let i = 0; i < SIZE; i++) {
      for (const n of frontier.append(leaf(i))) (levels[n.level] as Buffer).set(n.hash, 32 * n.index)
      if (checkpoints.has(i + 1)) roots.set(i + 1, frontier.root())
    }
  })

  test('stored nodes join as their parents do, and give back the roots the frontier had', () => {
    const failures = new Failures()
    for (let k = 0; k < 2000; k++) {
      const level = 1 + next(levels.length - 1)
      const index = next((levels[level] as Buffer).length / 32)
      const parent = nodeHash(getNode(level - 1, 2 * index), getNode(level - 1, 2 * index + 1))
      failures.check(same(getNode(level, index), parent), () => `node ${level}/${index}`)
    }
    for (const n of sizes) failures.check(same(rootFromNodes(n, getNode), rootAt(n)), () => `root of ${n}`)
    expect(failures.list).toEqual([])
    expect(same(MerkleFrontier.fromNodes(SIZE, getNode).root(), frontier.root())).toBe(true)
  })

  test('random inclusion and consistency proofs verify; their altered twins do not', () => {
    const failures = new Failures()
    for (const n of sizes) {
      const i = next(n)
      const path = inclusionProof(i, n, getNode)
      failures.check(path.length <= 20, () => `path length ${path.length} for ${i} in ${n}`)
      failures.check(verifyInclusion(i, n, leaf(i), path, rootAt(n)), () => `inclusion ${i} in ${n}`)
      if (path.length > 0) {
        const k = next(path.length)
        path[k] = flipBit(path[k] as Buffer, next(256))
        failures.check(!verifyInclusion(i, n, leaf(i), path, rootAt(n)), () => `altered inclusion ${i} in ${n}`)
      }
      const m = sizes[next(sizes.length)] as number
      const [lo, hi] = m <= n ? [m, n] : [n, m]
      const proof = consistencyProof(lo, hi, getNode)
      failures.check(verifyConsistency(lo, hi, rootAt(lo), rootAt(hi), proof), () => `consistency ${lo} -> ${hi}`)
      if (proof.length > 0) {
        const k = next(proof.length)
        proof[k] = flipBit(proof[k] as Buffer, next(256))
        const ok = verifyConsistency(lo, hi, rootAt(lo), rootAt(hi), proof)
        failures.check(!ok, () => `altered consistency ${lo} -> ${hi}`)
      }
    }
    expect(failures.list).toEqual([])
  })
})

describe('tampering', () => {
  const { store } = TREE_300
  const leafAt = (i: number): Buffer => LEAVES_300[i] as Buffer
  const rootOf = (n: number): Buffer => ROOTS_300[n] as Buffer
  const swapIn = (list: readonly Buffer[], k: number, hash: Buffer): Buffer[] =>
    list.map((h, j) => (j === k ? hash : h))

  test('flipping any single bit of a proof element, the leaf or the root fails inclusion', () => {
    const failures = new Failures()
    for (const [i, n] of [
      [5, 8],
      [81, 95],
      [299, 300],
    ] as const) {
      const path = inclusionProof(i, n, store.get)
      for (let bit = 0; bit < 256; bit++) {
        const badLeaf = verifyInclusion(i, n, flipBit(leafAt(i), bit), path, rootOf(n))
        const badRoot = verifyInclusion(i, n, leafAt(i), path, flipBit(rootOf(n), bit))
        failures.check(!badLeaf && !badRoot, () => `leaf or root bit ${bit}, ${i} in ${n}`)
        for (let k = 0; k < path.length; k++) {
          const wrong = swapIn(path, k, flipBit(path[k] as Buffer, bit))
          failures.check(
            !verifyInclusion(i, n, leafAt(i), wrong, rootOf(n)),
            () => `path[${k}] bit ${bit}, ${i} in ${n}`,
          )
        }
      }
    }
    expect(failures.list).toEqual([])
  })

  test('flipping any single bit of a proof element or a root fails consistency', () => {
    const failures = new Failures()
    for (const [m, n] of [
      [6, 7],
      [81, 95],
      [128, 300],
    ] as const) {
      const proof = consistencyProof(m, n, store.get)
      for (let bit = 0; bit < 256; bit++) {
        const badOld = verifyConsistency(m, n, flipBit(rootOf(m), bit), rootOf(n), proof)
        const badNew = verifyConsistency(m, n, rootOf(m), flipBit(rootOf(n), bit), proof)
        failures.check(!badOld && !badNew, () => `root bit ${bit}, ${m} -> ${n}`)
        for (let k = 0; k < proof.length; k++) {
          const wrong = swapIn(proof, k, flipBit(proof[k] as Buffer, bit))
          const ok = verifyConsistency(m, n, rootOf(m), rootOf(n), wrong)
          failures.check(!ok, () => `proof[${k}] bit ${bit}, ${m} -> ${n}`)
        }
      }
    }
    expect(failures.list).toEqual([])
  })

  test('a random bit flipped anywhere fails, in every inclusion and consistency case up to 48 leaves', () => {
    const next = random(7)
    const failures = new Failures()
    for (let n = 1; n <= 48; n++) {
      for (let i = 0; i < n; i++) {
        const path = inclusionProof(i, n, store.get)
        const badLeaf = verifyInclusion(i, n, flipBit(leafAt(i), next(256)), path, rootOf(n))
        const badRoot = verifyInclusion(i, n, leafAt(i), path, flipBit(rootOf(n), next(256)))
        failures.check(!badLeaf && !badRoot, () => `leaf or root, ${i} in ${n}`)
        if (path.length === 0) continue
        const k = next(path.length)
        const wrong = swapIn(path, k, flipBit(path[k] as Buffer, next(256)))
        failures.check(!verifyInclusion(i, n, leafAt(i), wrong, rootOf(n)), () => `path[${k}], ${i} in ${n}`)
      }
      for (let m = 1; m < n; m++) {
        const proof = consistencyProof(m, n, store.get)
        const k = next(proof.length)
        const wrong = swapIn(proof, k, flipBit(proof[k] as Buffer, next(256)))
        const badProof = verifyConsistency(m, n, rootOf(m), rootOf(n), wrong)
        const badOld = verifyConsistency(m, n, flipBit(rootOf(m), next(256)), rootOf(n), proof)
        const badNew = verifyConsistency(m, n, rootOf(m), flipBit(rootOf(n), next(256)), proof)
        failures.check(!badProof && !badOld && !badNew, () => `${m} -> ${n}`)
      }
    }
    expect(failures.list).toEqual([])
  })

  test('an inclusion proof does not pass for another leaf, nor for another size with the root of that size', () => {
    const failures = new Failures()
    for (let n = 1; n <= 24; n++) {
      for (let i = 0; i < n; i++) {
        const path = inclusionProof(i, n, store.get)
        for (let j = 0; j < n; j++) {
          if (j === i) continue
          const asOther = verifyInclusion(j, n, leafAt(i), path, rootOf(n))
          const otherLeaf = verifyInclusion(j, n, leafAt(j), path, rootOf(n))
          failures.check(!asOther && !otherLeaf, () => `proof of ${i} used for ${j} in ${n}`)
        }
        for (let size = i + 1; size <= 40; size++) {
          if (size === n) continue
          const ok = verifyInclusion(i, size, leafAt(i), path, rootOf(size))
          failures.check(!ok, () => `proof of ${i} in ${n} used for size ${size}`)
        }
      }
    }
    expect(failures.list).toEqual([])
  })

  test('with the root it was made for but another size, inclusion passes only where RFC 6962 allows', () => {
    // A path fixes a root only through the shape of the tree, and some sizes share the shape
    // around a leaf (leaf 0 has the same path in trees of 5 and 6 leaves): a claimed size binds
    // only through the root the verifier trusts for it, as the test above checks. Here the
    // verifier must agree with the RFC's recursive definition on every such claim.
    const failures = new Failures()
    let coincidences = 0
    for (let n = 1; n <= 24; n++) {
      for (let i = 0; i < n; i++) {
        const path = inclusionProof(i, n, store.get)
        for (let size = i + 1; size <= 2 * n; size++) {
          const want = refRootFromPath(i, size, leafAt(i), path)
          const ok = verifyInclusion(i, size, leafAt(i), path, rootOf(n))
          failures.check(ok === (want !== null && same(want, rootOf(n))), () => `${i} in ${n} claimed for ${size}`)
          if (ok && size !== n) coincidences++
        }
      }
    }
    expect(failures.list).toEqual([])
    expect(coincidences).toBeGreaterThan(0) // such sizes exist, so this test can tell
  })

  test('a consistency proof does not pass for other sizes with their roots, nor with other roots', () => {
    const next = random(11)
    const failures = new Failures()
    for (let n = 2; n <= 32; n++) {
      for (let m = 1; m < n; m++) {
        const proof = consistencyProof(m, n, store.get)
        const claims: [number, number][] = []
        for (const a of [m - 1, m, m + 1, m ^ 2, 2 * m]) {
          for (const b of [n - 1, n, n + 1, n ^ 2, 2 * n, Math.floor(n / 2)]) claims.push([a, b])
        }
        for (let k = 0; k < 10; k++) claims.push([1 + next(47), 1 + next(48)])
        for (const [a, b] of claims) {
          if (a < 1 || b <= a || b > N || (a === m && b === n)) continue
          const ok = verifyConsistency(a, b, rootOf(a), rootOf(b), proof)
          failures.check(!ok, () => `proof ${m} -> ${n} used for ${a} -> ${b}`)
        }
        const others = [m - 1, m + 1, n - 1, n + 1, 2 * n, Math.floor(n / 2), 1 + next(N), 1 + next(N)]
        for (const other of others) {
          if (other < 1 || other > N) continue
          const badNew = other !== n && verifyConsistency(m, n, rootOf(m), rootOf(other), proof)
          const badOld = other !== m && verifyConsistency(m, n, rootOf(other), rootOf(n), proof)
          failures.check(!badNew && !badOld, () => `proof ${m} -> ${n} with the root of ${other}`)
        }
      }
    }
    expect(failures.list).toEqual([])
  })
})

describe('verifiers on malformed input', () => {
  const { store } = TREE_300
  const leaf = LEAVES_300[5] as Buffer
  const root = ROOTS_300[13] as Buffer
  const path = inclusionProof(5, 13, store.get)
  const proof = consistencyProof(5, 13, store.get)
  const oldRoot = ROOTS_300[5] as Buffer
  const badSizes: unknown[] = [
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
    2 ** 64,
    '13',
    13n,
    null,
    undefined,
  ]
  const badHashes: unknown[] = [
    Buffer.alloc(31),
    Buffer.alloc(33),
    new Uint8Array(),
    root.toString('hex'),
    Array.from(root),
    { length: 32 },
    null,
    undefined,
    new Uint16Array(32),
  ]
  const badLists = (good: readonly Buffer[]): unknown[] => [
    null,
    undefined,
    'proof',
    { length: good.length, 0: good[0] },
    [...good.slice(0, -1), Buffer.alloc(31)],
    [...good.slice(0, -1), (good.at(-1) as Buffer).toString('hex')],
    [...good.slice(0, -1), null],
    // biome-ignore lint/suspicious/noSparseArray: a hole must be refused, not skipped
    [, ...good.slice(1)],
    Array(100_000).fill(good[0]),
    new Proxy([...good], {
      get(target, key) {
        if (key === '0') throw new Error('trap')
        return Reflect.get(target, key)
      },
    }),
  ]
  const anyVerifyInclusion = verifyInclusion as (...args: unknown[]) => boolean
  const anyVerifyConsistency = verifyConsistency as (...args: unknown[]) => boolean

  test('verifyInclusion returns false and never throws', () => {
    expect(verifyInclusion(5, 13, leaf, path, root)).toBe(true)
    const cases: unknown[][] = [
      ...badSizes.map((s) => [s, 13, leaf, path, root]),
      ...badSizes.map((s) => [5, s, leaf, path, root]),
      ...badHashes.map((h) => [5, 13, h, path, root]),
      ...badHashes.map((h) => [5, 13, leaf, path, h]),
      ...badLists(path).map((p) => [5, 13, leaf, p, root]),
      [13, 13, leaf, path, root],
      [0, 0, EMPTY_ROOT, [], EMPTY_ROOT],
      [5, 13, leaf, [], root],
      [5, 13, leaf, path.slice(1), root],
      [5, 13, leaf, [...path, path[0]], root],
      [5, 13, leaf, [path[0], ...path], root],
    ]
    for (const args of cases) {
      expect(() => anyVerifyInclusion(...args)).not.toThrow()
      expect(anyVerifyInclusion(...args)).toBe(false)
    }
  })

  test('verifyConsistency returns false and never throws', () => {
    expect(verifyConsistency(5, 13, oldRoot, root, proof)).toBe(true)
    const cases: unknown[][] = [
      ...badSizes.map((s) => [s, 13, oldRoot, root, proof]),
      ...badSizes.map((s) => [5, s, oldRoot, root, proof]),
      ...badHashes.map((h) => [5, 13, h, root, proof]),
      ...badHashes.map((h) => [5, 13, oldRoot, h, proof]),
      ...badLists(proof).map((p) => [5, 13, oldRoot, root, p]),
      [13, 5, root, oldRoot, proof],
      [13, 5, root, oldRoot, []],
      [5, 13, oldRoot, root, []],
      [5, 13, oldRoot, root, proof.slice(1)],
      [5, 13, oldRoot, root, [...proof, proof[0]]],
    ]
    for (const args of cases) {
      expect(() => anyVerifyConsistency(...args)).not.toThrow()
      expect(anyVerifyConsistency(...args)).toBe(false)
    }
  })

  test('the edges outside the RFC: equal sizes and the empty old tree', () => {
    expect(verifyConsistency(13, 13, root, root, [])).toBe(true)
    expect(verifyConsistency(13, 13, root, oldRoot, [])).toBe(false)
    expect(verifyConsistency(13, 13, root, root, [root])).toBe(false)
    expect(verifyConsistency(0, 13, EMPTY_ROOT, root, [])).toBe(true)
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true)
    expect(verifyConsistency(0, 0, EMPTY_ROOT, root, [])).toBe(false)
    expect(verifyConsistency(0, 13, oldRoot, root, [])).toBe(false)
    expect(verifyConsistency(0, 13, EMPTY_ROOT, root, [EMPTY_ROOT])).toBe(false)
    expect(consistencyProof(0, 13, store.get)).toEqual([])
    expect(consistencyProof(13, 13, store.get)).toEqual([])
    expect(verifyInclusion(0, 1, leaf, [], leaf)).toBe(true)
    expect(verifyInclusion(0, 1, leaf, [], root)).toBe(false)
  })

  test('sizes near 2^53 are handled exactly, without 32-bit shifts', () => {
    // A tree of 2^53 - 1 leaves: leaf 2^53 - 2 is the last, and its path is the 52 perfect
    // subtrees to its left, from the smallest up. Made-up hashes: only the arithmetic is tested.
    const big = Number.MAX_SAFE_INTEGER
    const last = leafHash(Buffer.from('last'))
    const siblings = Array.from({ length: 52 }, (_, k) => leafHash(Buffer.from(`subtree ${k}`)))
    const top = siblings.reduce((acc, h) => nodeHash(h, acc), last)
    expect(verifyInclusion(big - 1, big, last, siblings, top)).toBe(true)
    expect(verifyInclusion(big - 2, big, last, siblings, top)).toBe(false)
    expect(verifyInclusion(big - 1, big - 1, last, siblings, top)).toBe(false)
    expect(verifyInclusion(2 ** 32 - 1, 2 ** 32, last, siblings.slice(0, 32), top)).toBe(false)
    // A tree whose leaves are all equal has one hash per level, so stored nodes that agree with
    // each other can be made for any size; proofs and roots read from them must then verify.
    const uniform = [leafHash(Buffer.from('same'))]
    for (let level = 1; level <= 53; level++)
      uniform.push(nodeHash(uniform[level - 1] as Buffer, uniform[level - 1] as Buffer))
    const getUniform: GetNode = (level) => uniform[level] as Buffer
    const next = random(53)
    const sizes = [big, big - 1, 2 ** 52, 2 ** 52 + 1, 2 ** 40 + 3, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 31 + 5]
    for (let k = 0; k < 10; k++) sizes.push(1 + Math.floor((next(2 ** 26) * 2 ** 27 + next(2 ** 27)) % big))
    for (const n of sizes) {
      const root = rootFromNodes(n, getUniform)
      const i = n - 1 - next(Math.min(n, 1000))
      const path = inclusionProof(i, n, getUniform)
      expect(path.length).toBeLessThanOrEqual(53)
      expect(verifyInclusion(i, n, uniform[0] as Buffer, path, root)).toBe(true)
      expect(verifyInclusion(i, n, uniform[0] as Buffer, path.slice(1), root)).toBe(false)
      for (const m of sizes.filter((m) => m <= n)) {
        const proof = consistencyProof(m, n, getUniform)
        expect(verifyConsistency(m, n, rootFromNodes(m, getUniform), root, proof)).toBe(true)
        if (m < n) expect(verifyConsistency(m, n, rootFromNodes(m, getUniform), root, proof.slice(1))).toBe(false)
      }
    }
  })
})
