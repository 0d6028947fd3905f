import { describe, expect, test } from 'vitest'
import { claimedTreeSize, parseCheckpointFile } from '../../src/cli/checkpoint-file.js'

// A small deterministic generator, so that a failing case can be replayed from its seed.
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function randomNote(next: () => number, i: number): string {
  const text = [`example.com/log${i}`, String(Math.floor(next() * 1e6)), 'qZ3bXbLZKk0yG3XvOqpqAXdKBq3n0+dsdY4b8q4zGZw=']
  // Extension lines, and now and then a blank line inside the text (signed notes allow one).
  for (let n = Math.floor(next() * 3); n > 0; n--) text.push(next() < 0.3 ? '' : `ext ${Math.floor(next() * 100)}`)
  if (text.at(-1) === '') text.push('tail')
  const signatures = Array.from(
    { length: 1 + Math.floor(next() * 3) },
    (_, s) => `\u2014 signer${s} ${Buffer.from(`sig ${i} ${s} ${next()}`).toString('base64')}`,
  )
  return `${text.join('\n')}\n\n${signatures.join('\n')}\n`
}

describe('parseCheckpointFile', () => {
  test('reads back every note as --append writes them, byte for byte', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed)
      const notes = Array.from({ length: Math.floor(next() * 5) }, (_, i) => randomNote(next, i))
      expect(parseCheckpointFile(notes.map((n) => `${n}\n`).join('')), `seed ${seed}`).toEqual(notes)
    }
  })

  test('reads notes with no blank line between them, or several, the same', () => {
    const next = random(7)
    const notes = [randomNote(next, 0), randomNote(next, 1), randomNote(next, 2)]
    expect(parseCheckpointFile(notes.join(''))).toEqual(notes)
    expect(parseCheckpointFile(`\n\n${notes.join('\n\n\n')}\n\n`)).toEqual(notes)
  })

  test('keeps a note cut short, for its verification to refuse', () => {
    const next = random(9)
    const whole = randomNote(next, 0)
    const cut = 'example.com/log\n12\n'
    expect(parseCheckpointFile(`${whole}\n${cut}`)).toEqual([whole, cut])
    // Text ending in a blank line: the last blank line is the separator, the one before is text.
    const odd = 'example.com/log\n12\n\n\n\u2014 signer c2ln\n'
    expect(parseCheckpointFile(`${odd}\n${whole}`)).toEqual([odd, whole])
    expect(parseCheckpointFile('')).toEqual([])
    expect(parseCheckpointFile('\n\n')).toEqual([])
  })

  test('claimedTreeSize reads the second line, unverified', () => {
    expect(claimedTreeSize('o\n42\nroot\n\n\u2014 o sig\n')).toBe(42)
    expect(claimedTreeSize('o\nforty\nroot\n')).toBeUndefined()
    expect(claimedTreeSize('o')).toBeUndefined()
  })
})
