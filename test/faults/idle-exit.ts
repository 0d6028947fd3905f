// A process that opens a log, writes one entry and leaves the log open (no close(), no exit()):
// it must still end by itself once idle. Usage: node --import tsx idle-exit.ts <database> <table> <schema|->
import { randomUUID } from 'node:crypto'
import { createAuditLog } from '../../src/index.js'

const [database, table, schema] = process.argv.slice(2)
if (!database || !table || !schema) throw new Error('usage: <database> <table> <schema|->')
const audit = await createAuditLog({ database, table, ...(schema === '-' ? {} : { schema }), sealIntervalMs: 200 })
const entry = await audit.createLogEntry({
  targetUserUuid: randomUUID(),
  adminUserUuid: randomUUID(),
  action: 'user_created',
})
process.stdout.write(`${entry.uuid}\n`)
