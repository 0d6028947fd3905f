// `npm start`: logs a few admin actions to an SQLite file and prints what the queries return.
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createAuditLog, type Entry, generateKeyPair, ValidationError, verifyInclusion } from '../src/index.js'

const file = fileURLToPath(new URL('../demo-audit.db', import.meta.url))
for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
const keys = generateKeyPair() // in an application: a key kept in a secret store, not made per run
const audit = await createAuditLog({
  database: `sqlite:${file}`,
  signingKey: keys.privateKey,
  origin: 'demo.example/audit',
})

const names: Record<string, string> = {
  '0190d5f2-0000-7000-8000-00000000000a': 'admin',
  '0190d5f2-0000-7000-8000-0000000a11ce': 'alice',
  '0190d5f2-0000-7000-8000-000000000b0b': 'bob',
}
const [admin, alice, bob] = Object.keys(names) as [string, string, string]
const browser = { ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' }

await audit.createLogEntry({ targetUserUuid: alice, adminUserUuid: admin, action: 'user_created', ...browser })
await audit.logPasswordChange({ targetUserUuid: alice, adminUserUuid: admin, ...browser, metadata: { ticket: 4521 } })
await audit.createLogEntries([
  { targetUserUuid: bob, adminUserUuid: admin, action: 'user_created', ...browser },
  { targetUserUuid: bob, adminUserUuid: alice, action: 'role_assigned', metadata: { role: 'billing' } },
])
await audit.createLogEntry({
  targetUserUuid: alice,
  adminUserUuid: admin,
  action: 'user_locked',
  ipAddress: '198.51.100.23',
  userAgent: 'curl/8.5\u0000<script>alert(1)</script>', // hostile: NUL is replaced, never stored
  metadata: { reason: 'too many failed logins' },
})

const show = (title: string, entries: Entry[]) => {
  console.log(`\n${title}`)
  for (const e of entries) {
    const who = `${names[e.adminUserUuid]} -> ${names[e.targetUserUuid]}`
    const meta = Object.keys(e.metadata).length > 0 ? JSON.stringify(e.metadata) : ''
    console.log(`  ${e.insertedAt.toISOString().slice(11, 23)}  ${e.action.padEnd(20)} ${who.padEnd(16)} ${meta}`)
  }
}

show('listLogsForUser(alice): alice as target or as admin, newest first', await audit.listLogsForUser(alice))
show("listLogsByAction('user_created')", await audit.listLogsByAction('user_created'))
console.log(`\ncountLogs(): ${await audit.countLogs()}`)
console.log(`countLogs({ targetUserUuid: bob }): ${await audit.countLogs({ targetUserUuid: bob })}`)

const first = await audit.pageLogs({ limit: 2 })
show('pageLogs({ limit: 2 }): the first page', first.entries)
console.log(`  nextCursor: ${first.nextCursor}`)
if (first.nextCursor) {
  const second = await audit.pageLogs({ limit: 2, cursor: first.nextCursor })
  show('pageLogs({ limit: 2, cursor }): the next page', second.entries)
}

const [locked] = await audit.listLogsByAction('user_locked', { limit: 1 })
console.log(`\nThe hostile user agent as stored (NUL became U+FFFD): ${JSON.stringify(locked?.userAgent)}`)

try {
  await audit.createLogEntry({
    targetUserUuid: 'alice',
    adminUserUuid: admin,
    action: 'user_exploded' as 'user_created',
    ipAddress: '999.0.0.1',
  })
} catch (error) {
  if (!(error instanceof ValidationError)) throw error
  console.log('\nA bad write is refused, nothing is stored. ValidationError.issues:')
  for (const issue of error.issues) console.log(`  ${issue.field}: ${issue.message}`)
}

// Tamper evidence: seal, sign a checkpoint (the note to copy out of the database), prove, verify.
const checkpoint = await audit.checkpoint()
console.log(`\ncheckpoint(): ${checkpoint.treeSize} entries sealed; the signed note to keep outside the database:`)
console.log(checkpoint.note.trimEnd().replace(/^/gm, '  '))
const proof = await audit.proveInclusion(locked?.uuid ?? '', checkpoint.treeSize)
console.log(
  `proveInclusion(): leaf ${proof.leafIndex} of ${proof.treeSize}, ${proof.auditPath.length} hashes; verifyInclusion: ${verifyInclusion(proof, checkpoint.note, keys.publicKey)}`,
)
const result = await audit.verify({ checkpoints: [checkpoint.note] })
console.log(`verify(): ok ${result.ok}, ${result.entries} entries, ${result.checkpointsChecked} checkpoints checked`)

await audit.close()
console.log(`\nThe log is in ${file} (recreated on every run).`)
