/**
 * The worker thread of a parallel verify or seal on a SQLite file (see `sqlite-leaf-reader.ts`):
 * reads its chunks on a read-only connection of its own (verify: seals with their entries; the
 * sealer: pending entries by rowid), computes each entry's leaf, and posts them a chunk at a
 * time, at most `ahead` chunks before the main thread has taken them.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { MerkleFrontier } from '../../tlog/merkle-frontier.js'
import { HASH_SIZE } from '../../tlog/merkle-hash.js'
import { TextFrontier } from '../../tlog/text-frontier.js'
import type { Sql } from '../entry-sql.js'
import { importDriver } from '../import-driver.js'
import { fastLeafTextOfValues } from '../row-leaf.js'
import { PositionFirst, SEALED_POSITION, sealedRangeByPositionSql, sealedRangeSql } from '../seal-sql.js'
import { sqliteEngine } from './sqlite-engine.js'
import { prepareNumbers } from './sqlite-executor.js'
import { type LeafChunk, type LeafWorkerData, workerTakes } from './sqlite-leaf-reader.js'
import { PENDING_ID, pendingRangeText } from './sqlite-sealer.js'

const { mode, file, table, from, to, chunk, share, ahead, control } = workerData as LeafWorkerData
// control[0]: chunks the main thread has taken; control[1]: 1 when it wants the worker to stop.
const flags = new Int32Array(control)
const port = parentPort as NonNullable<typeof parentPort>

// The root of the perfect subtree of these leaves (32 latin1 characters each; a power of two).
function subtreeRoot(leaves: string): string {
  const tree = TextFrontier.of(new MerkleFrontier())
  for (let i = 0; i < leaves.length; i += HASH_SIZE) tree.push(leaves.slice(i, i + HASH_SIZE))
  return tree.root().toString('latin1')
}

let db: { close(): void } | undefined
try {
  const { default: Database } = await importDriver('better-sqlite3', () => import('better-sqlite3'))
  const opened = new Database(file, { readonly: true, fileMustExist: true })
  db = opened
  const engine = sqliteEngine(table)
  const sealed = mode === 'sealed'
  const range = prepareNumbers(opened, sealed ? sealedRangeSql(engine, 0, 0).text : pendingRangeText(engine)).raw(true)
  // verify's chunks are read by position first, as `SqlStore.sealedRange` reads them.
  const byPosition = prepareNumbers(opened, (sealedRangeByPositionSql(engine, 0, 0) as Sql).text).raw(true)
  // Where the bulk columns start: after verify's seq and sealed uuid; at once in a pending row.
  const at0 = sealed ? 2 : 0
  let posted = 0
  // verify's chunks by position first, as SqlStore.sealedRange reads them.
  const positionFirst = new PositionFirst()
  for (let at = from, k = 0; at < to && Atomics.load(flags, 1) === 0; at += chunk, k++) {
    if (!workerTakes(k, share)) continue
    while (posted - Atomics.load(flags, 0) >= ahead && Atomics.load(flags, 1) === 0) {
      Atomics.wait(flags, 0, Atomics.load(flags, 0), 100)
    }
    const end = Math.min(at + chunk, to)
    const params = sealed ? sealedRangeSql(engine, at, end).params : [at, end]
    let rows = sealed && positionFirst.tryPosition ? (byPosition.all(params) as unknown[][]) : undefined
    if (rows === undefined) positionFirst.byUuid()
    if (rows === undefined || !positionFirst.accept(rows)) rows = range.all(params) as unknown[][]
    const out: LeafChunk = { from: at, seqs: [], uuids: [], positions: [], kinds: [], leaves: '', slow: [] }
    for (const v of rows) {
      if (sealed) {
        out.seqs.push(Number(v[0]))
        out.uuids.push(String(v[1]))
        const position = v[SEALED_POSITION]
        out.positions.push(position === null || position === undefined ? null : Number(position))
        if (v[2] === null || v[2] === undefined) {
          out.kinds.push(1)
          continue
        }
      } else {
        out.seqs.push(Number(v[PENDING_ID]))
        out.uuids.push(String(v[0]))
      }
      const leaf = fastLeafTextOfValues(v, at0)
      if (leaf === undefined) {
        out.kinds.push(2)
        out.slow.push(v)
      } else {
        out.kinds.push(0)
        out.leaves += leaf
      }
    }
    // A whole aligned chunk of leaves: its subtree's root too, which verify's walk appends
    // instead of each leaf (the interior hashes then run on this thread).
    if (sealed && rows.length === chunk && at % chunk === 0 && out.kinds.every((kind) => kind === 0)) {
      if (out.seqs.every((seq, i) => seq === at + i)) out.root = subtreeRoot(out.leaves)
    }
    port.postMessage(out)
    posted++
  }
} catch (error) {
  const e = error as { message?: unknown; code?: unknown }
  port.postMessage({
    error: { message: String(e?.message ?? error), code: typeof e?.code === 'string' ? e.code : undefined },
  })
} finally {
  db?.close()
}
