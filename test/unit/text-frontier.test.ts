import { describe, expect, test } from 'vitest'
import { ValidationError } from '../../src/errors.js'
import { MerkleFrontier } from '../../src/tlog/merkle-frontier.js'
import { leafHash, sha256Text } from '../../src/tlog/merkle-hash.js'
import { openBatch, sealLeaves } from '../../src/tlog/seal-batch.js'
import { TextFrontier } from '../../src/tlog/text-frontier.js'
import { TileAppender } from '../../src/tlog/tiles.js'
import { TreeVerifier } from '../../src/tlog/tree-verifier.js'

const leaves = Array.from({ length: 1100 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)))

describe('TextFrontier, the hot path form of MerkleFrontier', () => {
  test('reports the same nodes and gives the same roots and right edges, from any start', () => {
    for (const start of [0, 1, 5, 255, 256, 257, 700]) {
      const reference = new MerkleFrontier()
      for (const leaf of leaves.slice(0, start)) reference.push(leaf)
      const text = TextFrontier.of(MerkleFrontier.fromHashes(reference.size, reference.hashes()))
      expect(text.root().equals(reference.root())).toBe(true)
      for (const leaf of leaves.slice(start, start + 300)) {
        const expected: string[] = []
        const got: string[] = []
        reference.push(leaf, (level, index, hash) => expected.push(`${level}/${index}/${hash.toString('hex')}`))
        text.push(leaf.toString('latin1'), (level, index, hash) =>
          got.push(`${level}/${index}/${Buffer.from(hash, 'latin1').toString('hex')}`),
        )
        expect(got).toEqual(expected)
        expect(text.size).toBe(reference.size)
      }
      expect(text.root().equals(reference.root())).toBe(true)
      expect(text.hashes()).toEqual(reference.hashes())
    }
  })

  test('sha256Text is sha256 as latin1, and a leaf must be 32 characters', () => {
    expect(Buffer.from(sha256Text('\u0000abc'), 'latin1').equals(leafHash(Buffer.from('abc')))).toBe(true)
    expect(() => TextFrontier.of(new MerkleFrontier()).push('short')).toThrow(/32-byte/)
  })

  test('a batch appended as text stores the same tiles and state as one appended as Buffers', () => {
    const empty = { size: 0, frontier: Buffer.alloc(0) }
    const first = sealLeaves(empty, [], leaves.slice(0, 300))
    // The tiles a second batch reads back: the partial ones of the first.
    const partial = first.tiles.filter((t) => t.hashes.length < 256 * 32)
    const viaBuffers = sealLeaves(first.state, partial, leaves.slice(300))
    const open = openBatch(first.state, partial)
    for (const leaf of leaves.slice(300)) open.pushText(leaf.toString('latin1'))
    const viaText = open.finish()
    expect(viaText.state).toEqual(viaBuffers.state)
    expect(viaText.tiles).toEqual(viaBuffers.tiles)
    // And against the reference tree built node by node.
    const reference = new MerkleFrontier()
    const appender = new TileAppender([])
    for (const leaf of leaves) reference.push(leaf, appender.add.bind(appender))
    expect(Buffer.concat(reference.hashes()).equals(viaText.state.frontier)).toBe(true)
    const level0 = appender.changed().find((t) => t.level === 0 && t.index === 4)
    expect(viaText.tiles.find((t) => t.level === 0 && t.index === 4)?.hashes.equals(level0?.hashes as Buffer)).toBe(
      true,
    )
  })
})

// The root of a perfect subtree of these leaves (a power of two of them), as latin1.
function rootOf(part: readonly Buffer[]): string {
  const tree = new MerkleFrontier()
  for (const leaf of part) tree.push(leaf)
  return tree.root().toString('latin1')
}

describe('TextFrontier.pushSubtree and TreeVerifier.addChunk: a whole aligned chunk appended by its root', () => {
  test('a subtree root appended gives the tree its leaves appended one by one give, from any aligned start', () => {
    for (const [start, height] of [
      [0, 8],
      [256, 8],
      [512, 8],
      [768, 8],
      [0, 0],
      [7, 0],
      [4, 2],
      [512, 9],
    ] as const) {
      const width = 2 ** height
      const part = leaves.slice(start, start + width)
      const one = TextFrontier.of(new MerkleFrontier())
      const whole = TextFrontier.of(new MerkleFrontier())
      for (const leaf of leaves.slice(0, start)) {
        one.push(leaf.toString('latin1'))
        whole.push(leaf.toString('latin1'))
      }
      for (const leaf of part) one.push(leaf.toString('latin1'))
      whole.pushSubtree(rootOf(part), height)
      expect(whole.size).toBe(one.size)
      expect(whole.hashes()).toEqual(one.hashes())
      expect(whole.root().equals(one.root())).toBe(true)
    }
  })

  test('refuses a subtree that does not start at a multiple of its width, or a hash of the wrong length', () => {
    const tree = TextFrontier.of(new MerkleFrontier())
    for (const leaf of leaves.slice(0, 5)) tree.push(leaf.toString('latin1'))
    expect(() => tree.pushSubtree(rootOf(leaves.slice(0, 256)), 8)).toThrow(ValidationError)
    expect(() => tree.pushSubtree('short', 0)).toThrow(ValidationError)
    expect(tree.size).toBe(5)
  })

  const text = (part: readonly Buffer[]) => part.map((leaf) => leaf.toString('latin1')).join('')
  const stored = (seq: number) => leaves[seq]?.toString('latin1')
  // Every seal one by one, as the walk adds them.
  function oneByOne(verifier: TreeVerifier, from: number, count: number) {
    for (let seq = from; seq < from + count; seq++) {
      verifier.add(
        seq,
        `u${seq}`,
        { leaf: leaves[seq] as Buffer, leafText: stored(seq), fallback: undefined, unreadable: undefined },
        stored(seq),
      )
    }
  }
  const checkpointAt = (size: number) => {
    const tree = new MerkleFrontier()
    for (const leaf of leaves.slice(0, size)) tree.push(leaf)
    return { size, rootHash: tree.root(), label: `checkpoint ${size}` }
  }

  test('a chunk whose leaves match their stored ones goes in whole, and meets the checkpoints one by one would', () => {
    const checkpoints = [checkpointAt(512), checkpointAt(768), checkpointAt(1000)]
    const whole = new TreeVerifier(checkpoints)
    const one = new TreeVerifier(checkpoints)
    for (const from of [0, 256, 512]) {
      expect(
        whole.addChunk(from, text(leaves.slice(from, from + 256)), rootOf(leaves.slice(from, from + 256)), stored),
      ).toBe(true)
      oneByOne(one, from, 256)
    }
    // A checkpoint inside the next chunk (at 1000): it must be met leaf by leaf.
    expect(whole.addChunk(768, text(leaves.slice(768, 1024)), rootOf(leaves.slice(768, 1024)), stored)).toBe(false)
    oneByOne(whole, 768, 256)
    oneByOne(one, 768, 256)
    expect(whole.entries).toBe(1024)
    expect(whole.root().equals(one.root())).toBe(true)
    expect(whole.finish()).toEqual(one.finish())
    expect(one.finish()).toMatchObject({ problems: [], checkpointsChecked: 3 })
  })

  test('a chunk with a leaf not as stored, out of step, or misaligned is refused and leaves the walk as it was', () => {
    const verifier = new TreeVerifier([])
    const changed = [...leaves.slice(0, 256)]
    changed[100] = leaves[1000] as Buffer
    expect(verifier.addChunk(0, text(changed), rootOf(changed), stored)).toBe(false)
    expect(verifier.addChunk(256, text(leaves.slice(256, 512)), rootOf(leaves.slice(256, 512)), stored)).toBe(false)
    expect(verifier.addChunk(0, text(leaves.slice(0, 200)), rootOf(leaves.slice(0, 128)), stored)).toBe(false)
    expect(verifier.size).toBe(0)
    expect(verifier.entries).toBe(0)
    oneByOne(verifier, 0, 5)
    expect(verifier.addChunk(5, text(leaves.slice(5, 261)), rootOf(leaves.slice(5, 261)), stored)).toBe(false)
    expect(verifier.size).toBe(5)
  })
})
