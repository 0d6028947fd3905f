import { ValidationError } from '../index.js'
import { CliError, EXIT } from './exit-codes.js'

// The library names its fields (`targetUserUuid`); the person at the terminal typed a flag (`--target`).
const FLAGS: Readonly<Record<string, string>> = {
  action: '--action',
  targetUserUuid: '--target',
  adminUserUuid: '--admin',
  userUuid: '--user',
  fromDate: '--from',
  toDate: '--to',
  limit: '--limit',
  cursor: '--cursor',
  ipAddress: '--ip',
  userAgent: '--user-agent',
  metadata: '--metadata',
  fromSeq: '--from-seq',
  toSeq: '--to-seq',
  uuid: '<uuid>',
}

/** The flag behind a library field (`metadata.a.b` comes from `--metadata`), with the field itself. */
export function flagOf(field: string): string {
  const flag = FLAGS[field.split(/[.[]/)[0] ?? field]
  return flag === undefined ? field : `${flag} (${field})`
}

/**
 * Runs `work`, rewording a ValidationError with the flags the user typed: exit 2 and one line such
 * as `invalid input: --target (targetUserUuid): must be a UUID`.
 */
export async function namingFlags<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    const issues = error.issues.map((i) => `${flagOf(i.field)}: ${i.message}`).join('; ')
    throw new CliError(EXIT.USAGE, `invalid input: ${issues}`, { cause: error })
  }
}
