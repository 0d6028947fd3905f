import { ValidationError } from './errors.js'
import { isUuid } from './schema/fields.js'
import type { Position } from './store/store.js'

const VERSION = '1'
const FORMAT = /^1:(\d{1,16}):([0-9a-f-]{36})$/

/** An opaque cursor for the position right after `entry` (base64url, versioned). */
export function encodeCursor(position: Position): string {
  return Buffer.from(`${VERSION}:${position.insertedAt.getTime()}:${position.uuid}`).toString('base64url')
}

/** The position a cursor stands for; a ValidationError on anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): Position {
  const match = /^[A-Za-z0-9_-]{1,100}$/.test(cursor) ? FORMAT.exec(Buffer.from(cursor, 'base64url').toString()) : null
  const ms = Number(match?.[1])
  const uuid = match?.[2] ?? ''
  if (!match || !isUuid(uuid) || !Number.isSafeInteger(ms) || Number.isNaN(new Date(ms).getTime())) {
    throw new ValidationError([{ field: 'cursor', message: 'is not a cursor returned by pageLogs' }])
  }
  return { insertedAt: new Date(ms), uuid }
}
