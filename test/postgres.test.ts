import { postgresHarness } from './contract/postgres-harness.js'
import { runContractSuite } from './contract/run-contract.js'

runContractSuite(postgresHarness())
