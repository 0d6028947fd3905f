export { DEFAULT_ACTIONS, type DefaultAction } from './actions.js'
export {
  API_KEY_SCOPES,
  type ApiKeyInfo,
  type ApiKeyScope,
  type CreateApiKeyOptions,
  type CreatedApiKey,
} from './api-keys.js'
export {
  AuditLog,
  type CloseOptions,
  type InputSchemas,
  MAX_BATCH_ENTRIES,
  type SealLag,
  type SeqRange,
  type SignedCheckpoint,
  type TreeHead,
} from './audit-log.js'
export { createAuditLog } from './create-audit-log.js'
export type {
  Entry,
  IterateOptions,
  ListOptions,
  LogEntryInput,
  LogFilters,
  Page,
  PageOptions,
  Paging,
  PasswordChangeInput,
} from './entry.js'
export { entryFilter } from './entry-filter.js'
export {
  ENTRY_CSV_COLUMNS,
  entryCsvCell,
  entryCsvHeader,
  entryCsvLine,
  entryJsonLine,
  entryJsonObject,
} from './entry-lines.js'
export {
  AuditLogError,
  type AuditLogErrorCode,
  ConflictError,
  IntegrityError,
  type IntegrityErrorCode,
  NotFoundError,
  StoreError,
  type StoreErrorOptions,
  ValidationError,
  type ValidationIssue,
} from './errors.js'
export {
  IDEMPOTENCY_WINDOW_MS,
  type IdempotencyOptions,
  type IdempotentResult,
} from './idempotency.js'
export {
  type AuditLogOptions,
  DEFAULT_SEAL_BATCH_SIZE,
  type KyselyLike,
  type PgClientLike,
  type PgPoolLike,
  type SqliteDatabaseLike,
  type UsingHandle,
} from './options.js'
export type { UserIdFormat } from './schema/fields.js'
export type { JsonValue, Metadata } from './schema/metadata.js'
export { METADATA_MAX_BYTES, METADATA_MAX_DEPTH } from './schema/metadata.js'
export { DEFAULT_LIMIT, MAX_LIMIT } from './schema/query-schema.js'
export { USER_AGENT_MAX_LENGTH } from './schema/text.js'
export type { SealResult } from './sealing/log-sealer.js'
export type { VerifyOptions, VerifyProgress } from './sealing/log-verify.js'
export { verifyExport } from './sealing/verify-export.js'
export { type MigrationSqlOptions, migrationSql } from './store/migration-sql.js'
export { entryCanonicalJson, entryLeafHash, type LeafEntry } from './tlog/entry-leaf.js'
export {
  generateKeyPair,
  type KeyInput,
  type KeySet,
  type PublicKeyInput,
  type SigningKeyInput,
  verifierKey,
} from './tlog/keys.js'
export { NoteError, type NoteErrorCode, type NoteErrorReason } from './tlog/note-error.js'
export {
  type CheckpointContent,
  type ConsistencyProof,
  type InclusionProof,
  readCheckpoint,
  verifyCheckpoint,
  verifyConsistency,
  verifyConsistencyProof,
  verifyEntryInclusion,
  verifyInclusion,
  verifyInclusionProof,
} from './tlog/proofs.js'
export type { VerifyProblem, VerifyProblemKind, VerifyResult } from './tlog/tree-verifier.js'
export type { TrustedKey, TrustedKeyInput, TrustedKeys } from './tlog/verifier-keys.js'
export type {
  VerifiedCheckpoint,
  VerifierOptions,
  VerifyCode,
  VerifyFailure,
  VerifyOutcome,
} from './tlog/verifiers.js'
