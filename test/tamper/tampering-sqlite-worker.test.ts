// The tampering and verification cases again on SQLite files, with every chunk of verify's walk
// read and hashed on its worker thread (sqlite-leaf-worker.ts): the worker's leaves must find
// everything the main thread's do.
import { afterAll, beforeAll } from 'vitest'
import { VERIFY_PARALLEL } from '../../src/sealing/log-verify.js'
import { sqliteTamperHarness } from './tamper-harness.js'
import { tamperingCases } from './tampering-cases.js'
import { verificationCases } from './verification-cases.js'

const saved = { ...VERIFY_PARALLEL }
beforeAll(() => {
  VERIFY_PARALLEL.minEntries = 0
  VERIFY_PARALLEL.workerShare = 1
  VERIFY_PARALLEL.leadEntries = 0
})
afterAll(() => {
  Object.assign(VERIFY_PARALLEL, saved)
})

tamperingCases(sqliteTamperHarness())
verificationCases(sqliteTamperHarness())
