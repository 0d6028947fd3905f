import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const WRITER = fileURLToPath(new URL('./writer-process.ts', import.meta.url))

/** Runs the writer in a child process and resolves with the uuids it wrote. */
export function writeFromProcess(
  database: string,
  table: string,
  schema: string | undefined,
  count: number,
  admin: string,
) {
  return new Promise<string[]>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', WRITER, database, table, schema ?? '-', String(count), admin],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    )
  })
}
