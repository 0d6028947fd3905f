// One implementation of each verification rule, two ways to run it. A rule is written as a
// generator that yields the cryptographic work it needs (a SHA-256, an Ed25519 check) and gets the
// answer back: Node.js runs it synchronously with node:crypto (the sealing and verify hot paths
// cannot await a digest per leaf), a browser runs it with WebCrypto, whose every call is a Promise.

/** A piece of cryptographic work a rule asks for. */
export type Effect =
  | { readonly kind: 'sha256'; readonly data: Uint8Array }
  | {
      readonly kind: 'ed25519'
      /** The raw 32-byte Ed25519 public key. */
      readonly publicKey: Uint8Array
      readonly message: Uint8Array
      readonly signature: Uint8Array
    }

/** A rule in progress: it yields effects and returns its result. */
export type Steps<T> = Generator<Effect, T, Uint8Array | boolean>

/** Synchronous primitives (node:crypto). `ed25519Verify` answers false, never throws, on a bad key or signature. */
export interface SyncPrimitives {
  sha256(data: Uint8Array): Uint8Array
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
}

/** Asynchronous primitives (WebCrypto). `ed25519Verify` resolves false, never rejects, on a bad key or signature. */
export interface AsyncPrimitives {
  sha256(data: Uint8Array): Promise<Uint8Array>
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
}

/** Runs a rule to its end with synchronous primitives. */
export function runSync<T>(steps: Steps<T>, primitives: SyncPrimitives): T {
  for (let next = steps.next(); ; ) {
    if (next.done) return next.value
    const e = next.value
    next = steps.next(
      e.kind === 'sha256' ? primitives.sha256(e.data) : primitives.ed25519Verify(e.publicKey, e.message, e.signature),
    )
  }
}

/** Runs a rule to its end with asynchronous primitives. */
export async function runAsync<T>(steps: Steps<T>, primitives: AsyncPrimitives): Promise<T> {
  for (let next = steps.next(); ; ) {
    if (next.done) return next.value
    const e = next.value
    next = steps.next(
      e.kind === 'sha256'
        ? await primitives.sha256(e.data)
        : await primitives.ed25519Verify(e.publicKey, e.message, e.signature),
    )
  }
}

/** Inside a rule: SHA-256 of `data`. */
export function* sha256(data: Uint8Array): Steps<Uint8Array> {
  return (yield { kind: 'sha256', data }) as Uint8Array
}

/** Inside a rule: whether `signature` is a valid Ed25519 signature of `message` by `publicKey`. */
export function* ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Steps<boolean> {
  return (yield { kind: 'ed25519', publicKey, message, signature }) === true
}
