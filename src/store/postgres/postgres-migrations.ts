import { createHash } from 'node:crypto'
import { quoteIdentifier } from '../identifiers.js'
import type { Migration, MigrationPlan } from '../migrations.js'
import type { StoreLocation } from '../store.js'

/** PostgreSQL's migrations for an entries table at `location`. Also exported as plain .sql files. */
export function postgresMigrations({ schema, table }: StoreLocation): Migration[] {
  const t = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`
  const fn = `${quoteIdentifier(schema)}.${quoteIdentifier(`${table}_append_only`)}`
  const index = (suffix: string, columns: string) =>
    `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_${suffix}`)} ON ${t} (${columns})`
  const sideFn = `${quoteIdentifier(schema)}.${quoteIdentifier(`${table}_side_guard`)}`
  const side = (name: string) => `${quoteIdentifier(schema)}.${quoteIdentifier(`${table}_${name}`)}`
  return [
    {
      version: 1,
      name: 'create_entries',
      statements: [
        // tx_id records the writing transaction, so that a later sealer can tell which entries
        // are committed for good (below the oldest running transaction) without locking writers.
        `CREATE TABLE IF NOT EXISTS ${t} (
  uuid uuid PRIMARY KEY,
  target_user_uuid text NOT NULL,
  admin_user_uuid text NOT NULL,
  action text NOT NULL,
  ip_address text,
  user_agent text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
  inserted_at timestamptz NOT NULL,
  tx_id xid8 NOT NULL DEFAULT pg_current_xact_id()
)`,
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
        `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
          `RAISE EXCEPTION 'auditkit: the audit log is append-only: % of entries is refused', TG_OP ` +
          `USING ERRCODE = 'insufficient_privilege'; END $$`,
        `DROP TRIGGER IF EXISTS ${quoteIdentifier(`${table}_append_only`)} ON ${t}`,
        `CREATE TRIGGER ${quoteIdentifier(`${table}_append_only`)} BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
        `DROP TRIGGER IF EXISTS ${quoteIdentifier(`${table}_no_truncate`)} ON ${t}`,
        `CREATE TRIGGER ${quoteIdentifier(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
      ],
    },
    {
      version: 3,
      name: 'seals',
      // Sealing (tamper evidence) writes only to these side tables; entries stay insert-only.
      statements: [
        // The sealer reads entries from its horizon on, in (tx_id, uuid) order.
        index('tx_idx', 'tx_id, uuid'),
        `CREATE TABLE IF NOT EXISTS ${side('seals')} (seq bigint PRIMARY KEY, uuid uuid NOT NULL UNIQUE)`,
        `CREATE TABLE IF NOT EXISTS ${side('tiles')} (level integer NOT NULL, idx bigint NOT NULL, hashes bytea NOT NULL, PRIMARY KEY (level, idx))`,
        `CREATE TABLE IF NOT EXISTS ${side('sealer')} (
  id integer PRIMARY KEY CHECK (id = 1),
  size bigint NOT NULL,
  frontier bytea NOT NULL,
  horizon xid8 NOT NULL,
  sweep_xmin xid8,
  cursor_tx xid8,
  cursor_uuid uuid,
  sealed_at timestamptz
)`,
        `INSERT INTO ${side('sealer')} (id, size, frontier, horizon) VALUES (1, 0, '', '0') ON CONFLICT (id) DO NOTHING`,
        `CREATE TABLE IF NOT EXISTS ${side('checkpoints')} (id bigserial PRIMARY KEY, size bigint NOT NULL, root_hash bytea NOT NULL, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
        `CREATE OR REPLACE FUNCTION ${sideFn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
          `RAISE EXCEPTION 'auditkit: the audit log is append-only: % of % is refused', TG_OP, TG_TABLE_NAME ` +
          `USING ERRCODE = 'insufficient_privilege'; END $$`,
        // Names stay within 63 characters for a 47-character table name.
        ...['seals', 'checkpoints'].flatMap((name) => [
          `DROP TRIGGER IF EXISTS ${quoteIdentifier(`${table}_${name.slice(0, 4)}_guard`)} ON ${side(name)}`,
          `CREATE TRIGGER ${quoteIdentifier(`${table}_${name.slice(0, 4)}_guard`)} BEFORE UPDATE OR DELETE OR TRUNCATE ON ${side(name)} FOR EACH STATEMENT EXECUTE FUNCTION ${sideFn}()`,
        ]),
      ],
    },
    {
      version: 4,
      name: 'sealed_snapshot',
      // The sealer keeps the snapshot of its last complete sweep instead of a single horizon, so
      // that a sweep reads only what it seals (transactions that snapshot did not see), never the
      // entries sealed ahead of an old open transaction again. A horizon h becomes the snapshot
      // "h:h:" (every transaction below h seen); a sweep under way starts again.
      statements: [
        `ALTER TABLE ${side('sealer')} ADD COLUMN IF NOT EXISTS sealed_snapshot pg_snapshot, ADD COLUMN IF NOT EXISTS sweep_snapshot pg_snapshot`,
        `UPDATE ${side('sealer')} SET sealed_snapshot = (greatest(horizon, '3'::xid8)::text || ':' || greatest(horizon, '3'::xid8)::text || ':')::pg_snapshot, ` +
          'sweep_snapshot = NULL, sweep_xmin = NULL, cursor_tx = NULL, cursor_uuid = NULL WHERE id = 1 AND sealed_snapshot IS NULL',
        `ALTER TABLE ${side('sealer')} ALTER COLUMN sealed_snapshot SET NOT NULL`,
      ],
    },
    {
      version: 5,
      name: 'api_keys',
      // The HTTP service's keys: the secret is never stored, only the SHA-256 of the whole key.
      statements: [
        `CREATE TABLE IF NOT EXISTS ${side('api_keys')} (id text PRIMARY KEY, name text NOT NULL, scopes text NOT NULL, ` +
          'key_hash bytea NOT NULL, created_at timestamptz NOT NULL, last_used_at timestamptz, revoked_at timestamptz)',
      ],
    },
    {
      version: 6,
      name: 'idempotency',
      // Idempotent writes: a key's record is written in the same transaction as its entries.
      statements: [
        `CREATE TABLE IF NOT EXISTS ${side('idempotency')} (idempotency_key text PRIMARY KEY, fingerprint text NOT NULL, ` +
          'uuids text NOT NULL, created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL)',
        `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_idem_exp_idx`)} ON ${side('idempotency')} (expires_at)`,
      ],
    },
  ]
}

/** A stable 64-bit advisory lock key for one entries table. */
export function migrationLockKey({ schema, table }: StoreLocation): string {
  return createHash('sha256').update(`auditkit:${schema}.${table}`).digest().readBigInt64BE(0).toString()
}

/** How PostgreSQL runs migrations: under a transaction-scoped advisory lock. */
export function postgresMigrationPlan(location: StoreLocation): MigrationPlan {
  const migrationsTable = `${quoteIdentifier(location.schema)}.${quoteIdentifier(`${location.table}_migrations`)}`
  return {
    lock: { text: 'SELECT pg_advisory_xact_lock($1::bigint)', params: [migrationLockKey(location)] },
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists;
    // asking first lets a role with CREATE on its schema only migrate.
    setup: [
      `DO $$ BEGIN IF to_regnamespace('${quoteIdentifier(location.schema)}') IS NULL THEN CREATE SCHEMA ${quoteIdentifier(location.schema)}; END IF; END $$`,
    ],
    createTable: `CREATE TABLE IF NOT EXISTS ${migrationsTable} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    table: migrationsTable,
    param: (n) => `$${n}`,
    migrations: postgresMigrations(location),
  }
}
