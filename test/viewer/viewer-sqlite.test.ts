import { browseCases } from './browse-cases.js'
import { pageCases } from './page-cases.js'
import { trustCases } from './trust-cases.js'
import { viewerEngine } from './viewer-harness.js'
import { viewerSuite } from './viewer-suite.js'

// The web viewer (issue 11) in Chromium against `auditkit serve` on an SQLite file.
viewerSuite(await viewerEngine('sqlite'), (f) => {
  browseCases(f)
  trustCases(f)
  pageCases(f, undefined)
})
