import { quoteIdentifier } from '../identifiers.js'
import type { Migration, MigrationPlan } from '../migrations.js'

/** SQLite's migrations for an entries table named `table`. */
export function sqliteMigrations(table: string): Migration[] {
  const t = quoteIdentifier(table)
  const index = (suffix: string, columns: string) =>
    `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_${suffix}`)} ON ${t} (${columns})`
  const side = (name: string) => quoteIdentifier(`${table}_${name}`)
  return [
    {
      version: 1,
      name: 'create_entries',
      statements: [
        // `id` is the rowid: SQLite serializes writers, so it follows commit order (room for sealing).
        `CREATE TABLE IF NOT EXISTS ${t} (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  target_user_uuid TEXT NOT NULL,
  admin_user_uuid TEXT NOT NULL,
  action TEXT NOT NULL,
  ip_address TEXT,
  user_agent TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  inserted_at INTEGER NOT NULL
) STRICT`,
        index('inserted_at_idx', 'inserted_at, uuid'),
        index('target_idx', 'target_user_uuid, inserted_at, uuid'),
        index('admin_idx', 'admin_user_uuid, inserted_at, uuid'),
        index('action_idx', 'action, inserted_at, uuid'),
      ],
    },
    {
      version: 2,
      name: 'append_only',
      // The one sanctioned way to remove entries will be retention, which will leave proof.
      statements: [
        ...(['UPDATE', 'DELETE'] as const).map(
          (op) =>
            `CREATE TRIGGER IF NOT EXISTS ${quoteIdentifier(`${table}_no_${op.toLowerCase()}`)} BEFORE ${op} ON ${t} ` +
            `BEGIN SELECT RAISE(ABORT, 'auditkit: the audit log is append-only: ${op} of entries is refused'); END`,
        ),
        // INSERT OR REPLACE and UPSERT delete the old row without firing DELETE triggers (unless
        // recursive_triggers is on for that connection): refuse an insert that meets an existing row.
        `CREATE TRIGGER IF NOT EXISTS ${quoteIdentifier(`${table}_no_replace`)} BEFORE INSERT ON ${t} ` +
          `WHEN EXISTS (SELECT 1 FROM ${t} WHERE uuid = NEW.uuid OR id = NEW.id) ` +
          `BEGIN SELECT RAISE(ABORT, 'auditkit: the audit log is append-only: REPLACE of entries is refused'); END`,
      ],
    },
    {
      version: 3,
      name: 'seals',
      // Sealing (tamper evidence) writes only to these side tables; entries stay insert-only.
      statements: [
        `CREATE TABLE IF NOT EXISTS ${side('seals')} (seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE) STRICT`,
        `CREATE TABLE IF NOT EXISTS ${side('tiles')} (level INTEGER NOT NULL, idx INTEGER NOT NULL, hashes BLOB NOT NULL, PRIMARY KEY (level, idx)) STRICT, WITHOUT ROWID`,
        `CREATE TABLE IF NOT EXISTS ${side('sealer')} (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, frontier BLOB NOT NULL, last_id INTEGER NOT NULL, sealed_at INTEGER) STRICT`,
        `INSERT OR IGNORE INTO ${side('sealer')} (id, size, frontier, last_id) VALUES (1, 0, x'', 0)`,
        `CREATE TABLE IF NOT EXISTS ${side('checkpoints')} (id INTEGER PRIMARY KEY, size INTEGER NOT NULL, root_hash BLOB NOT NULL, note TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT`,
        // Trigger names are short: with a 47-character table name they must fit 63.
        ...(['seals', 'checkpoints'] as const).flatMap((name) =>
          (['UPDATE', 'DELETE'] as const).map(
            (op) =>
              `CREATE TRIGGER IF NOT EXISTS ${quoteIdentifier(`${table}_${name.slice(0, 4)}_no_${op.toLowerCase()}`)} BEFORE ${op} ON ${side(name)} ` +
              `BEGIN SELECT RAISE(ABORT, 'auditkit: the audit log is append-only: ${op} of ${name} is refused'); END`,
          ),
        ),
      ],
    },
    {
      version: 4,
      name: 'api_keys',
      // The HTTP service's keys: the secret is never stored, only the SHA-256 of the whole key.
      statements: [
        `CREATE TABLE IF NOT EXISTS ${side('api_keys')} (id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes TEXT NOT NULL, ` +
          'key_hash BLOB NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER) STRICT',
      ],
    },
    {
      version: 5,
      name: 'idempotency',
      // Idempotent writes: a key's record is written in the same transaction as its entries.
      statements: [
        `CREATE TABLE IF NOT EXISTS ${side('idempotency')} (idempotency_key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, ` +
          'uuids TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) STRICT',
        `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_idem_exp_idx`)} ON ${side('idempotency')} (expires_at)`,
      ],
    },
    {
      version: 6,
      name: 'seq_by_rowid',
      // The sealer seals in rowid order from rowid 1: while rowids are contiguous, an entry's seq
      // is its rowid - 1, and a read needs no probe of the seals. `contiguous_to` is the last rowid
      // for which that holds (the sealer extends it; a row inserted with a rowid of its own stops
      // it, and reads probe the seals past it). Backfilled from the seals already written.
      statements: [
        `ALTER TABLE ${side('sealer')} ADD COLUMN contiguous_to INTEGER NOT NULL DEFAULT 0`,
        `UPDATE ${side('sealer')} SET contiguous_to = coalesce((SELECT min(s.seq) FROM ${side('seals')} s ` +
          `JOIN ${t} e ON e.uuid = s.uuid WHERE e.id <> s.seq + 1), last_id) WHERE id = 1`,
      ],
    },
  ]
}

/** How SQLite runs migrations: BEGIN IMMEDIATE takes the write lock, which is lock enough. */
export function sqliteMigrationPlan(table: string): MigrationPlan {
  const migrationsTable = quoteIdentifier(`${table}_migrations`)
  return {
    lock: null,
    setup: [],
    createTable: `CREATE TABLE IF NOT EXISTS ${migrationsTable} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`,
    table: migrationsTable,
    param: () => '?',
    migrations: sqliteMigrations(table),
  }
}
