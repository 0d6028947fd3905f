import { randomFillSync } from 'node:crypto'

// Random bytes are drawn in blocks and turned into hex once: one getrandom call and one hex
// conversion per 512 ids instead of per id.
const POOL_IDS = 512
const BYTES_PER_ID = 10
const pool = new Uint8Array(POOL_IDS * BYTES_PER_ID)
let poolHex = ''
let poolIndex = POOL_IDS
let lastMs = -1
let lastMsHex = ''
let counter = 0
const VARIANT = '89ab'

/** How far the clock may step back before ids follow it instead of staying monotonic. */
export const MAX_CLOCK_REGRESSION_MS = 10_000

/** A UUIDv7 and the millisecond timestamp it carries. */
export interface TimedUuid {
  readonly uuid: string
  readonly ms: number
}

/**
 * Makes a UUIDv7 (RFC 9562). Ids made by one process are strictly increasing: within one
 * millisecond the 12-bit `rand_a` field counts up from a random start (below 2048, to leave room),
 * and when it runs out the timestamp moves on by one millisecond. The entry's `insertedAt` is this
 * timestamp, so the uuid and `insertedAt` always agree. A clock that steps back by more than
 * {@link MAX_CLOCK_REGRESSION_MS} is followed (true time matters more than order then); a smaller
 * step back keeps counting from the last timestamp.
 */
export function uuidV7(now: number = Date.now()): TimedUuid {
  if (poolIndex === POOL_IDS) {
    randomFillSync(pool)
    poolHex = Buffer.from(pool.buffer, pool.byteOffset, pool.byteLength).toString('hex')
    poolIndex = 0
  }
  const o = poolIndex++ * BYTES_PER_ID
  const h = o * 2
  if (now > lastMs || now < lastMs - MAX_CLOCK_REGRESSION_MS) {
    lastMs = now
    counter = (((pool[o] as number) << 8) | (pool[o + 1] as number)) & 0x7ff
  } else if (++counter > 0xfff) {
    lastMs += 1
    counter = 0
  } else if (lastMsHex !== '') {
    return { ms: lastMs, uuid: compose(lastMsHex, h) }
  }
  lastMsHex = lastMs.toString(16).padStart(12, '0')
  return { ms: lastMs, uuid: compose(lastMsHex, h) }
}

function compose(msHex: string, h: number): string {
  const variant = VARIANT[Number.parseInt(poolHex[h + 4] as string, 16) & 3] as string
  return (
    `${msHex.slice(0, 8)}-${msHex.slice(8)}-7${counter.toString(16).padStart(3, '0')}-` +
    `${variant}${poolHex.slice(h + 5, h + 8)}-${poolHex.slice(h + 8, h + 20)}`
  )
}

/** The millisecond timestamp carried by a UUIDv7. */
export function uuidV7Ms(uuid: string): number {
  return Number.parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16)
}
