import { apiKeyStorageCases } from './api-key-storage-cases.js'
import { sqliteTamperHarness } from './tamper-harness.js'
import { tamperingCases } from './tampering-cases.js'
import { verificationCases } from './verification-cases.js'

tamperingCases(sqliteTamperHarness())
verificationCases(sqliteTamperHarness())
apiKeyStorageCases(sqliteTamperHarness())
