// The tampering and verification cases again on SQLite files, with every chunk of verify's walk
// read and hashed on its worker thread (sqlite-leaf-worker.ts): the worker's leaves must find
// everything the main thread's do.
import { afterAll, beforeAll, expect } from 'vitest'
import { VERIFY_PARALLEL } from '../../src/sealing/log-verify.js'
import { sqliteTamperHarness } from './tamper-harness.js'
import { tamperingCases } from './tampering-cases.js'
import { verificationCases } from './verification-cases.js'

const saved = { ...VERIFY_PARALLEL }
// A worker that fails hands its chunks back to the main thread with a warning: none may appear,
// or these cases would not have run on the worker at all.
const fallbacks: Error[] = []
const onWarning = (w: Error) => {
  if ((w as { code?: string }).code === 'auditkit_verify_worker') fallbacks.push(w)
}
beforeAll(() => {
  VERIFY_PARALLEL.minEntries = 0
  VERIFY_PARALLEL.workerShare = 1
  VERIFY_PARALLEL.leadEntries = 0
  process.on('warning', onWarning)
})
afterAll(() => {
  Object.assign(VERIFY_PARALLEL, saved)
  process.off('warning', onWarning)
  expect(fallbacks).toEqual([])
})

tamperingCases(sqliteTamperHarness())
verificationCases(sqliteTamperHarness())
