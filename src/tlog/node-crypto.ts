import { createPublicKey, type KeyObject, verify } from 'node:crypto'
import { sha256 } from './merkle-hash.js'
import { runSync, type Steps, type SyncPrimitives } from './steps.js'

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
// Building a KeyObject costs about as much as a signature check: once per raw key object.
const keyObjects = new WeakMap<Uint8Array, KeyObject>()

function keyObject(raw: Uint8Array): KeyObject {
  let key = keyObjects.get(raw)
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' })
    keyObjects.set(raw, key)
  }
  return key
}

/**
 * SHA-256 and Ed25519 from node:crypto, synchronous: what the sealer, verify() and the Node.js
 * verifiers run the shared rules with.
 */
export const nodePrimitives: SyncPrimitives = Object.freeze({
  sha256: (data: Uint8Array) => sha256(data),
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    try {
      return verify(null, message, keyObject(publicKey), signature)
    } catch {
      return false
    }
  },
})

/** Runs a rule synchronously with node:crypto. */
export function runNode<T>(steps: Steps<T>): T {
  return runSync(steps, nodePrimitives)
}
