import { runContractSuite } from './contract/run-contract.js'
import { sqliteMemoryHarness } from './contract/sqlite-harness.js'

runContractSuite(sqliteMemoryHarness())
