import { readFile, stat } from 'node:fs/promises'
import { usageError } from './exit-codes.js'

/** The signing key file: `--signing-key`, else `$AUDITKIT_SIGNING_KEY_FILE`; undefined when neither is set. */
export function signingKeyFile(option: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const file = option ?? env.AUDITKIT_SIGNING_KEY_FILE
  return file === undefined || file === '' ? undefined : file
}

/**
 * Reads a private key file (PEM), refusing one that group or others may read: a signing key is a
 * secret, and the refusal says how to fix it. Never takes the key itself on the command line.
 */
export async function readPrivateKeyFile(file: string): Promise<string> {
  let mode: number
  try {
    mode = (await stat(file)).mode
  } catch (error) {
    throw usageError(`cannot read the signing key ${file}: ${(error as Error).message}`)
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0')
    throw usageError(`the signing key ${file} is readable by others (mode ${octal}): run chmod 600 ${file}`)
  }
  return readFile(file, 'utf8')
}

/**
 * The public keys given as `--public-key` values: each a file (a PEM public key, or a C2SP verifier
 * key string on its first line) or a C2SP verifier key string itself (`<name>+<key ID>+<base64>`).
 */
export async function readPublicKeys(values: readonly string[]): Promise<string[]> {
  const keys: string[] = []
  for (const value of values) {
    if (/^[^\s+]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/=]+$/.test(value)) {
      keys.push(value)
      continue
    }
    let text: string
    try {
      text = await readFile(value, 'utf8')
    } catch (error) {
      throw usageError(
        `--public-key ${value} is neither a verifier key nor a readable file: ${(error as Error).message}`,
      )
    }
    keys.push(text.trimStart().startsWith('-----BEGIN') ? text : (text.trim().split('\n')[0]?.trim() ?? ''))
  }
  return keys
}

/** Collects a repeatable option's values (commander's `(value, previous)` callback). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
