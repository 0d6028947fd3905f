import { open, readFile } from 'node:fs/promises'
import { usageError } from './exit-codes.js'

// A signature line of a C2SP signed note starts with an em dash and a space.
const SIGNATURE = '\u2014 '

/**
 * The signed notes in a checkpoint file, oldest first.
 *
 * The file format, as `auditkit checkpoint --append` writes it: each note as `checkpoint()` returned
 * it (its text, one blank line, its signature lines, a final newline) followed by one empty line,
 * so that notes are separated by a blank line. A note ends with its signature block, at the first
 * line that is not a signature (`\u2014 name base64`), so notes written with no blank line between
 * them, or several, read the same. A note's own text keeps its bytes (blank lines inside it too):
 * its signature is over them. A note cut short is kept as it is, for its verification to say what
 * is wrong with it.
 *
 * @example
 * parseCheckpointFile(`${note1}\n${note2}\n`) // [note1, note2]
 */
export function parseCheckpointFile(text: string): string[] {
  const notes: string[] = []
  let body: string[] = []
  let blanks = 0
  let signatures: string[] | undefined
  const flush = () => {
    if (signatures !== undefined) notes.push(`${body.join('\n')}\n\n${signatures.map((s) => `${s}\n`).join('')}`)
    else if (body.length > 0) notes.push(`${body.join('\n')}\n`)
    body = []
    blanks = 0
    signatures = undefined
  }
  for (const line of text.split('\n')) {
    if (signatures !== undefined) {
      if (line.startsWith(SIGNATURE)) {
        signatures.push(line)
        continue
      }
      flush()
    }
    if (line === '') {
      if (body.length > 0) blanks++
    } else if (line.startsWith(SIGNATURE) && blanks > 0) {
      // The last blank line separates text and signatures; any before it belong to the text.
      body.push(...Array<string>(blanks - 1).fill(''))
      signatures = [line]
    } else {
      body.push(...Array<string>(blanks).fill(''), line)
      blanks = 0
    }
  }
  flush()
  return notes
}

/** The notes of a checkpoint file (see {@link parseCheckpointFile}); an unreadable file is an I/O error (exit 3). */
export async function readCheckpointFile(file: string): Promise<string[]> {
  return parseCheckpointFile(await readFile(file, 'utf8'))
}

// Notes are a few hundred bytes: the end of a file nearly always holds the last two whole.
const TAIL_BYTES = 16 * 1024

/**
 * The last note of a checkpoint file, as {@link parseCheckpointFile} would read it, or undefined
 * when the file holds none or does not exist yet (the first copy: nothing to extend). Reads only
 * the end of the file, so that a server checking it every minute for years reads little: a read
 * that starts inside a note can garble only the first note it parses, so the last of two or more
 * is whole; with fewer, it reads twice as much, up to the whole file.
 */
export async function lastCheckpointNote(file: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(file, 'r')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const { size } = await handle.stat()
    for (let length = TAIL_BYTES; ; length *= 2) {
      const start = Math.max(0, size - length)
      const buffer = Buffer.alloc(size - start)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start)
      let text = buffer.subarray(0, bytesRead).toString('utf8')
      // Drop the line the read began inside (and a UTF-8 character cut in two with it).
      if (start > 0) text = text.slice(text.indexOf('\n') + 1)
      const notes = parseCheckpointFile(text)
      if (start === 0 || notes.length >= 2) return notes.at(-1)
    }
  } finally {
    await handle.close()
  }
}

/** The notes of a checkpoint file that must hold at least one, named `flag` in the usage error (exit 2) otherwise. */
export async function readCheckpointNotes(file: string, flag: string): Promise<string[]> {
  const notes = await readCheckpointFile(file)
  if (notes.length === 0) throw usageError(`${flag} ${file} holds no signed checkpoint`)
  return notes
}

/**
 * The tree size a note claims on its second line, read without verifying anything: only to pick a
 * note out of a file, which is then verified.
 */
export function claimedTreeSize(note: string): number | undefined {
  const line = note.split('\n')[1]
  return line !== undefined && /^\d+$/.test(line) ? Number(line) : undefined
}

/**
 * Appends a note to a checkpoint file in the format of {@link parseCheckpointFile} (creating the
 * file), and flushes it to disk before returning: the copy is what proves the log's history later.
 */
export async function appendCheckpoint(file: string, note: string): Promise<void> {
  const handle = await open(file, 'a')
  try {
    await handle.appendFile(`${note}\n`, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
}
