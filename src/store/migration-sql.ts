import { z } from 'zod'
import { ValidationError } from '../errors.js'
import { parseOrThrow } from '../schema/issues.js'
import { IDENTIFIER, TABLE_NAME_MAX_LENGTH } from './identifiers.js'
import type { MigrationPlan } from './migrations.js'
import { postgresMigrationPlan } from './postgres/postgres-migrations.js'
import { sqliteMigrationPlan } from './sqlite/sqlite-migrations.js'

/**
 * Where `migrationSql` writes its DDL for.
 *
 * @example
 * const options: MigrationSqlOptions = { engine: 'postgres', schema: 'audit', table: 'admin_log' }
 */
export interface MigrationSqlOptions {
  readonly engine: 'sqlite' | 'postgres'
  /** The entries table (default `auditkit_entries`). */
  readonly table?: string | undefined
  /** PostgreSQL schema (default `public`); not for SQLite. */
  readonly schema?: string | undefined
}

const name = z.string().regex(IDENTIFIER, { error: 'must be a plain SQL identifier (letters, digits, _)' })
const optionsSchema = z.strictObject({
  engine: z.enum(['sqlite', 'postgres']),
  table: name.max(TABLE_NAME_MAX_LENGTH).optional(),
  schema: name.optional(),
})

function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/**
 * Every statement of auditkit's migrations, in order, as one SQL script, for teams that apply
 * migrations with their own tool (then open the log with `migrate: false`). Each statement is
 * idempotent, and each migration is recorded in the migrations table, so a later `migrate()` sees
 * it as applied. Throws a ValidationError for a bad option.
 *
 * @example
 * fs.writeFileSync('auditkit.sql', migrationSql({ engine: 'postgres', schema: 'audit' }))
 */
export function migrationSql(options: MigrationSqlOptions): string {
  const o = parseOrThrow(optionsSchema, options)
  if (o.engine === 'sqlite' && o.schema !== undefined) {
    throw new ValidationError([{ field: 'schema', message: 'is only for PostgreSQL' }])
  }
  const table = o.table ?? 'auditkit_entries'
  const plan: MigrationPlan =
    o.engine === 'postgres'
      ? postgresMigrationPlan({ schema: o.schema ?? 'public', table })
      : sqliteMigrationPlan(table)
  const statements: string[] = []
  for (const migration of plan.migrations) {
    for (const statement of [...plan.setup, plan.createTable, ...migration.statements]) {
      if (!statements.includes(statement)) statements.push(statement)
    }
    statements.push(
      `INSERT INTO ${plan.table} (version, name) VALUES (${migration.version}, ${sqlLiteral(migration.name)}) ` +
        'ON CONFLICT (version) DO NOTHING',
    )
  }
  return statements.map((s) => `${s};\n`).join('\n')
}
