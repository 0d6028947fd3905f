// The library side of the CLI benchmark: the same work as `auditkit export` and `auditkit
// verify-export`, done by calling the built library directly, in a process of its own so that its
// peak RSS is measured the same way. Usage:
//   node bench/cli-child.mjs export <jsonl|csv> <database> <table> <schema|-> <out> [action]
//   node bench/cli-child.mjs verify-export <export.jsonl> <checkpoint-file> <public-key-file>
import { createReadStream, createWriteStream, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createAuditLog, entryCsvHeader, entryCsvLine, entryJsonLine, verifyExport } from '../dist/index.js'

async function write(stream, text) {
  if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve))
}

async function exportEntries([format, database, table, schema, out, action]) {
  const audit = await createAuditLog({
    database,
    table,
    ...(schema === '-' ? {} : { schema }),
    migrate: false,
    sealIntervalMs: 0,
  })
  const stream = createWriteStream(out)
  if (format === 'csv') await write(stream, entryCsvHeader())
  let n = 0
  for await (const entry of audit.iterateLogs(action ? { action } : {})) {
    await write(stream, format === 'csv' ? entryCsvLine(entry) : entryJsonLine(entry))
    n++
  }
  await new Promise((resolve) => stream.end(resolve))
  await audit.close({ seal: false })
  return n
}

async function verify([file, checkpointFile, keyFile]) {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })
  const result = await verifyExport(lines, readFileSync(checkpointFile, 'utf8'), readFileSync(keyFile, 'utf8'))
  if (!result.ok) throw new Error(`verifyExport: ${JSON.stringify(result.problems.slice(0, 3))}`)
  return result.entries
}

const [task, ...rest] = process.argv.slice(2)
const count = task === 'export' ? await exportEntries(rest) : await verify(rest)
process.stdout.write(`${count}\n`)
