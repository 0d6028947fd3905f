import { postgresHarness } from './contract/postgres-harness.js'
import { runContractSuite } from './contract/run-contract.js'
import { postgresUnavailable } from './support/postgres.js'

runContractSuite(postgresHarness(), await postgresUnavailable())
