import { afterAll, describe } from 'vitest'
import { apiKeyCases } from './api-key-cases.js'
import type { Harness } from './harness.js'
import { idempotencyCases } from './idempotency-cases.js'
import { lifecycleCases } from './lifecycle-cases.js'
import { pageModelCases } from './page-model-cases.js'
import { readCases } from './read-cases.js'
import { sealCases } from './seal-cases.js'
import { writeCases } from './write-cases.js'

/**
 * The contract every store passes, unchanged: writes, reads, transactions, concurrency,
 * lifecycle. Each engine's test file runs it with its harness and adds only its own cases.
 */
export function runContractSuite(harness: Harness, unavailable?: string): void {
  // Skipped only where the engine cannot run here, with the reason in the suite's name.
  describe.skipIf(unavailable !== undefined)(
    `contract: ${harness.name}${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      afterAll(() => harness.teardown())
      writeCases(harness)
      readCases(harness)
      pageModelCases(harness)
      lifecycleCases(harness)
      sealCases(harness)
      apiKeyCases(harness)
      idempotencyCases(harness)
    },
  )
}
