/** A safe SQL identifier: letters, digits and underscores, not starting with a digit, at most 63 bytes. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** The longest table name: its index names (`<table>_inserted_at_idx`) must fit in 63 bytes. */
export const TABLE_NAME_MAX_LENGTH = 47

/** Quotes an identifier already checked against {@link IDENTIFIER}. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`unsafe identifier: ${name}`)
  return `"${name}"`
}
