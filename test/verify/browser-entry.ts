// The page's script in verify-chromium.test.ts: runs every vector through auditkit/verify as a
// browser loads it and leaves the results on `window.__results` for the test to read.
import * as verify from '../../src/verify.js'
import { runVectors, type VectorResult } from './run-vectors.js'

const page = globalThis as { __results?: VectorResult[] | { error: string } }

runVectors(verify).then(
  (results) => {
    page.__results = results
  },
  // runVectors catches every vector's failure; this is for the runner itself breaking.
  (error: unknown) => {
    page.__results = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  },
)
