import { postgresUnavailable } from '../support/postgres.js'
import { apiKeyStorageCases } from './api-key-storage-cases.js'
import { postgresTamperHarness } from './tamper-harness.js'
import { tamperingCases } from './tampering-cases.js'
import { verificationCases } from './verification-cases.js'

// Skipped with the reason when no server answers here; under CI=true a missing server fails instead.
tamperingCases(postgresTamperHarness(), await postgresUnavailable())
verificationCases(postgresTamperHarness(), await postgresUnavailable())
apiKeyStorageCases(postgresTamperHarness(), await postgresUnavailable())
