// The verifiers' cost, Node.js code (node:crypto, synchronous) beside the browser module's
// (WebCrypto, awaited) in one run: why sealing and verify() keep a synchronous SHA-256, and what
// a page pays per row it verifies. Run: npm run bench:verifiers
import { performance } from 'node:perf_hooks'
import * as node from '../src/index.js'
import { formatCheckpoint } from '../src/tlog/checkpoint.js'
import { inclusionProof, MerkleFrontier } from '../src/tlog/merkle.js'
import { generateNoteKeyPair, parseSignerKey, signNote } from '../src/tlog/note-keys.js'
import { encodeHash } from '../src/tlog/proofs.js'
import * as web from '../src/verify.js'

const ORIGIN = 'bench.example/log'
const SIZE = 100_000

function entry(i: number): node.LeafEntry {
  const hex = i.toString(16).padStart(12, '0')
  return {
    uuid: `019a0000-0000-7000-8000-${hex}`,
    targetUserUuid: '019a0000-0000-7000-8000-00000000000a',
    adminUserUuid: '019a0000-0000-7000-8000-00000000000b',
    action: 'user_locked',
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
    metadata: { reason: 'chargeback', ticket: i },
    insertedAt: new Date(1_790_000_000_000 + i),
  }
}

async function perCall(label: string, n: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(n, 200); i++) await fn(i) // warm up
  const start = performance.now()
  for (let i = 0; i < n; i++) await fn(i)
  const us = ((performance.now() - start) * 1000) / n
  console.log(`${label.padEnd(72)} ${us.toFixed(2).padStart(9)} µs/call`)
  return us
}

const entries = Array.from({ length: SIZE }, (_, i) => entry(i))
const frontier = new MerkleFrontier()
const nodes = new Map<string, Uint8Array>()
for (const e of entries)
  for (const n of frontier.append(node.entryLeafHash(e))) nodes.set(`${n.level}/${n.index}`, n.hash)
const getNode = (level: number, index: number) => nodes.get(`${level}/${index}`) as Uint8Array
const pair = generateNoteKeyPair(ORIGIN)
const note = signNote(
  formatCheckpoint({ origin: ORIGIN, size: SIZE, rootHash: frontier.root() }),
  parseSignerKey(pair.signerKey),
)
const proofs = Array.from({ length: 1000 }, (_, k) => {
  const i = (k * 7919) % SIZE
  return {
    leafIndex: i,
    treeSize: SIZE,
    leafHash: encodeHash(node.entryLeafHash(entries[i] as node.LeafEntry)),
    auditPath: inclusionProof(i, SIZE, getNode).map(encodeHash),
  }
})
const keys = [pair.verifierKey]
const options = { origin: ORIGIN }
const check = (r: { ok: boolean }) => {
  if (!r.ok) throw new Error('a proof did not verify')
}

console.log(
  `node ${process.version}; a tree of ${SIZE.toLocaleString('en-US')} entries, proofs of ${proofs[0]?.auditPath.length} hashes`,
)
const leafSync = await perCall('entryLeafHash: node:crypto, synchronous (sealing, verify())', 20_000, (i) =>
  node.entryLeafHash(entries[i % SIZE] as node.LeafEntry),
)
const leafAsync = await perCall('entryLeafHash: WebCrypto, awaited (auditkit/verify)', 20_000, (i) =>
  web.entryLeafHash(entries[i % SIZE] as node.LeafEntry),
)
const incSync = await perCall('verifyEntryInclusion: node:crypto (auditkit)', 2000, (k) => {
  const p = proofs[k % proofs.length] as node.InclusionProof
  check(node.verifyEntryInclusion(entries[p.leafIndex], p, note, keys, options))
})
const incAsync = await perCall('verifyEntryInclusion: WebCrypto (auditkit/verify)', 2000, async (k) => {
  const p = proofs[k % proofs.length] as node.InclusionProof
  check(await web.verifyEntryInclusion(entries[p.leafIndex] as node.LeafEntry, p, note, keys, options))
})
console.log(
  `ratio (WebCrypto / node:crypto): leaf ${(leafAsync / leafSync).toFixed(1)}x, entry inclusion ${(incAsync / incSync).toFixed(1)}x`,
)
