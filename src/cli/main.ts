#!/usr/bin/env node
// The `auditkit` binary. Everything is in program.ts; this only binds it to the process.
import { run } from './program.js'

process.exitCode = await run(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env })
