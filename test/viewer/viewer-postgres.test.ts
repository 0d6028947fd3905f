import { browseCases } from './browse-cases.js'
import { pageCases } from './page-cases.js'
import { trustCases } from './trust-cases.js'
import { viewerEngine } from './viewer-harness.js'
import { viewerSuite } from './viewer-suite.js'

// The web viewer (issue 11) in Chromium against `auditkit serve` on PostgreSQL (a schema of its own).
viewerSuite(await viewerEngine('postgres'), (f) => {
  browseCases(f)
  trustCases(f)
  pageCases(f, 'SQLite only: the page itself does not depend on the engine')
})
