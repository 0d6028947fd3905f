import { runContractSuite } from './contract/run-contract.js'
import { sqliteFileHarness } from './contract/sqlite-harness.js'

runContractSuite(sqliteFileHarness())
