#!/usr/bin/env node
// The `auditkit` binary. Everything is in program.ts; this only binds it to the process.
import { run } from './program.js'

// Undocumented, for the tests and benchmarks that hold export to constant memory: the process's
// peak resident set (kilobytes) on stderr at exit, measured where no wrapper can blur it.
if (process.env.AUDITKIT_REPORT_RSS === '1') {
  process.on('exit', () => process.stderr.write(`maxRSS: ${process.resourceUsage().maxRSS}\n`))
}

// A reader that went away (`auditkit list | head`) is not an error worth a stack trace: stop quietly.
// Commands that must report a cut-off output (export) check their own writes.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit(process.exitCode ?? 0)
})

process.exitCode = await run(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env })
