import { sqliteTamperHarness } from './tamper-harness.js'
import { tamperingCases } from './tampering-cases.js'

tamperingCases(sqliteTamperHarness())
