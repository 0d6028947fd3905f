/**
 * The nine actions of PhoenixKit's audit log, the default set of allowed actions.
 *
 * @example
 * createAuditLog({ database: 'sqlite::memory:', actions: [...DEFAULT_ACTIONS, 'api_key_revoked'] as const })
 */
export const DEFAULT_ACTIONS = Object.freeze([
  'admin_password_reset',
  'user_created',
  'user_updated',
  'user_deleted',
  'user_confirmed',
  'user_locked',
  'user_unlocked',
  'role_assigned',
  'role_revoked',
] as const)

/** One of the nine default actions. */
export type DefaultAction = (typeof DEFAULT_ACTIONS)[number]
