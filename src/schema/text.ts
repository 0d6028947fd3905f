/** The longest user agent stored; a longer one is cut, never refused. */
export const USER_AGENT_MAX_LENGTH = 2048

// NUL cannot be stored by PostgreSQL text/jsonb; lone surrogates are not valid UTF-8.
const NUL = /\u0000/g

/**
 * Makes a string storable by every engine: NUL and lone surrogates become U+FFFD.
 * Returns the same string (no copy) when it is already clean, the common case.
 */
export function storableText(value: string): string {
  const clean = value.isWellFormed() ? value : value.toWellFormed()
  return clean.includes('\u0000') ? clean.replace(NUL, '\uFFFD') : clean
}

/** Cuts an attacker-controlled user agent to {@link USER_AGENT_MAX_LENGTH} and makes it storable. */
export function storableUserAgent(value: string): string {
  return storableText(value.length > USER_AGENT_MAX_LENGTH ? value.slice(0, USER_AGENT_MAX_LENGTH) : value)
}

/** True when a string would be changed by {@link storableText}. */
export function hasUnstorableText(value: string): boolean {
  return !value.isWellFormed() || value.includes('\u0000')
}
