// A separate process that writes entries to an audit log, for multi-process tests.
// Usage: node --import tsx writer-process.ts <database> <table> <schema|-> <count> <admin-uuid>
import { createAuditLog } from '../../src/index.js'

const [database, table, schema, count, admin] = process.argv.slice(2)
if (!database || !table || !schema || !count || !admin)
  throw new Error('usage: <database> <table> <schema|-> <count> <admin>')
const audit = await createAuditLog({ database, table, ...(schema === '-' ? {} : { schema }) })
const n = Number(count)
const uuids: string[] = []
// Eight writers in flight per process, mixing single writes and small batches.
await Promise.all(
  Array.from({ length: 8 }, async (_, w) => {
    for (let i = w; i < n; i += 8) {
      const input = {
        targetUserUuid: crypto.randomUUID(),
        adminUserUuid: admin,
        action: 'user_updated' as const,
        metadata: { i },
      }
      if (i % 5 === 0) uuids.push(...(await audit.createLogEntries([input])).map((e) => e.uuid))
      else uuids.push((await audit.createLogEntry(input)).uuid)
    }
  }),
)
await audit.close()
process.stdout.write(JSON.stringify(uuids))
