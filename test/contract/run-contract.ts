import { afterAll, beforeAll, describe } from 'vitest'
import type { Harness } from './harness.js'
import { lifecycleCases } from './lifecycle-cases.js'
import { readCases } from './read-cases.js'
import { writeCases } from './write-cases.js'

/**
 * The contract every store passes, unchanged: writes, reads, transactions, concurrency,
 * lifecycle. Each engine's test file runs it with its harness and adds only its own cases.
 */
export function runContractSuite(harness: Harness): void {
  describe(`contract: ${harness.name}`, () => {
    beforeAll(async () => {
      const reason = await harness.unavailable?.()
      if (reason) throw new Error(`${harness.name} is not available: ${reason}`)
    })
    afterAll(() => harness.teardown())
    writeCases(harness)
    readCases(harness)
    lifecycleCases(harness)
  })
}
