/** A string as one POSIX shell word: single-quoted unless it is made of safe characters only. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`
}
