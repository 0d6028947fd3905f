import { sqliteTamperHarness } from './tamper-harness.js'
import { tamperingCases } from './tampering-cases.js'
import { verificationCases } from './verification-cases.js'

tamperingCases(sqliteTamperHarness())
verificationCases(sqliteTamperHarness())
