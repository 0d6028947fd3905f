import type { AsyncPrimitives } from './steps.js'

// The part of WebCrypto used here, typed locally: the browser module is compiled without DOM types.
type WebKey = object
interface Subtle {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>
  importKey(
    format: 'raw',
    key: Uint8Array,
    algorithm: { name: 'Ed25519' },
    extractable: false,
    usages: ['verify'],
  ): Promise<WebKey>
  verify(algorithm: { name: 'Ed25519' }, key: WebKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>
}

// Imported once per key object: a page that checks a hundred rows against one key imports it once.
const imported = new WeakMap<Uint8Array, Promise<WebKey>>()

function subtle(): Subtle {
  const s = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle
  if (s === undefined) {
    throw new Error(
      'WebCrypto (globalThis.crypto.subtle) is not available: a secure context (https or localhost) is needed',
    )
  }
  return s
}

function importKey(raw: Uint8Array): Promise<WebKey> {
  let key = imported.get(raw)
  if (key === undefined) {
    key = subtle().importKey('raw', raw, { name: 'Ed25519' }, false, ['verify'])
    imported.set(raw, key)
    // A failed import is not kept: the next call tries again.
    key.catch(() => imported.delete(raw))
  }
  return key
}

/**
 * SHA-256 and Ed25519 over WebCrypto (`globalThis.crypto.subtle`), as browsers and Node.js 20 have it.
 *
 * @example
 * await runAsync(checkpointSteps(note, keys, {}), webCryptoPrimitives)
 */
export const webCryptoPrimitives: AsyncPrimitives = Object.freeze({
  async sha256(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await subtle().digest('SHA-256', data))
  },
  async ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    let key: WebKey
    try {
      key = await importKey(publicKey)
    } catch (error) {
      // A runtime without Ed25519 must not make a valid checkpoint look edited: that is no answer.
      if ((error as { name?: unknown } | null)?.name === 'NotSupportedError') {
        throw new Error(
          "this runtime's WebCrypto has no Ed25519 (it needs Chrome 137, Firefox 129, Safari 17 or Node.js 20 or later)",
          { cause: error },
        )
      }
      return false
    }
    try {
      return await subtle().verify({ name: 'Ed25519' }, key, signature, message)
    } catch {
      return false
    }
  },
})
