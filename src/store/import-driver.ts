import { StoreError } from '../errors.js'

/**
 * Loads a database driver on first use, so that the core never loads an engine it does not use.
 * A missing driver is a StoreError that says what to install.
 */
export async function importDriver<T>(name: 'better-sqlite3' | 'pg', load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const code = (error as { code?: string }).code
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
    const message = missing ? `the driver is not installed: run \`npm install ${name}\`` : `could not load ${name}`
    throw new StoreError('open', message, { cause: error })
  }
}
