import { randomFillSync } from 'node:crypto'

// Random bytes are drawn in blocks: one getrandom call per 512 ids instead of one per id.
const POOL_IDS = 512
const pool = new Uint8Array(POOL_IDS * 10)
let poolIndex = POOL_IDS
let lastMs = -1
let counter = 0
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** How far the clock may step back before ids follow it instead of staying monotonic. */
export const MAX_CLOCK_REGRESSION_MS = 10_000

/** A UUIDv7 and the millisecond timestamp it carries. */
export interface TimedUuid {
  readonly uuid: string
  readonly ms: number
}

/**
 * Makes a UUIDv7 (RFC 9562). Ids made by one process are strictly increasing: within one
 * millisecond the 12-bit `rand_a` field counts up from a random start, and when it runs out the
 * timestamp moves on by one millisecond. The entry's `insertedAt` is this timestamp, so the
 * uuid and `insertedAt` always agree. A clock that steps back by more than
 * {@link MAX_CLOCK_REGRESSION_MS} is followed (true time matters more than order then); a smaller
 * step back keeps counting from the last timestamp.
 */
export function uuidV7(now: number = Date.now()): TimedUuid {
  if (poolIndex === POOL_IDS) {
    randomFillSync(pool)
    poolIndex = 0
  }
  const o = poolIndex++ * 10
  if (now > lastMs || now < lastMs - MAX_CLOCK_REGRESSION_MS) {
    lastMs = now
    counter = ((pool[o] ?? 0) << 3) | ((pool[o + 1] ?? 0) & 0x07) // start below 2048 to leave room
  } else if (++counter > 0xfff) {
    lastMs += 1
    counter = 0
  }
  const ms = lastMs
  const hi = Math.floor(ms / 0x1000000)
  const lo = ms % 0x1000000
  const h = HEX as readonly string[]
  const r = (i: number) => h[pool[o + i] ?? 0] as string
  return {
    ms,
    uuid:
      h[(hi >>> 16) & 0xff]! +
      h[(hi >>> 8) & 0xff]! +
      h[hi & 0xff]! +
      h[(lo >>> 16) & 0xff]! +
      '-' +
      h[(lo >>> 8) & 0xff]! +
      h[lo & 0xff]! +
      '-' +
      h[0x70 | (counter >>> 8)]! +
      h[counter & 0xff]! +
      '-' +
      h[0x80 | ((pool[o + 2] ?? 0) & 0x3f)]! +
      r(3) +
      '-' +
      r(4) +
      r(5) +
      r(6) +
      r(7) +
      r(8) +
      r(9),
  }
}

/** The millisecond timestamp carried by a UUIDv7. */
export function uuidV7Ms(uuid: string): number {
  return Number.parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16)
}
