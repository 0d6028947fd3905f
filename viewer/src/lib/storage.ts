// Where the viewer keeps what it remembers (viewer/README.md, "Storage"). The API key lives in
// sessionStorage only, so it is gone when the tab closes; pins and the last checkpoint seen are
// per origin in localStorage, because they must outlive the tab to be worth anything.

const KEY = 'auditkit.key'
const PINS = 'auditkit.pins'
const SEEN = 'auditkit.seen'

/** A verifier key pinned for this origin. */
export interface Pin {
  readonly verifierKey: string
  readonly pinnedAt: string
}

/** The newest checkpoint seen for one log (origin and key): what the history check starts from. */
export interface Seen {
  readonly treeSize: number
  readonly rootHash: string
  readonly seenAt: string
  /**
   * The signed note itself, for verifyConsistencyProof on the next visit. A record without one can
   * only be compared by size and root.
   */
  readonly note?: string
}

export const loadApiKey = (): string | null => sessionStorage.getItem(KEY)
export const saveApiKey = (key: string): void => sessionStorage.setItem(KEY, key)
export const clearApiKey = (): void => sessionStorage.removeItem(KEY)

function readMap<T>(name: string): Record<string, T> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(name) ?? '{}')
    return typeof value === 'object' && value !== null ? (value as Record<string, T>) : {}
  } catch {
    return {}
  }
}

function writeEntry<T>(name: string, key: string, value: T | undefined): void {
  const map = readMap<T>(name)
  if (value === undefined) delete map[key]
  else map[key] = value
  localStorage.setItem(name, JSON.stringify(map))
}

export function loadPin(): Pin | null {
  const pin = readMap<Pin>(PINS)[location.origin]
  return pin && typeof pin.verifierKey === 'string' ? pin : null
}

export function savePin(verifierKey: string): Pin {
  const pin = { verifierKey, pinnedAt: new Date().toISOString() }
  writeEntry(PINS, location.origin, pin)
  return pin
}

export const forgetPin = (): void => writeEntry<Pin>(PINS, location.origin, undefined)

const seenKey = (verifierKey: string) => `${location.origin}|${verifierKey}`

export function loadSeen(verifierKey: string): Seen | null {
  const seen = readMap<Seen>(SEEN)[seenKey(verifierKey)]
  return seen && typeof seen.treeSize === 'number' && typeof seen.rootHash === 'string' ? seen : null
}

export const saveSeen = (verifierKey: string, seen: Seen): void => writeEntry(SEEN, seenKey(verifierKey), seen)
