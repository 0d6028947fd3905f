import { describe, expect, test } from 'vitest'
import { MerkleFrontier } from '../../src/tlog/merkle-frontier.js'
import { leafHash, sha256Text } from '../../src/tlog/merkle-hash.js'
import { openBatch, sealLeaves } from '../../src/tlog/seal-batch.js'
import { TextFrontier } from '../../src/tlog/text-frontier.js'
import { TileAppender } from '../../src/tlog/tiles.js'

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
