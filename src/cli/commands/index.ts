import type { Command } from 'commander'
import type { CliIo } from '../io.js'
import type { ExitBox } from '../program.js'
import { registerApiKeys } from './api-keys.js'
import { registerExport } from './export.js'
import { registerKeys } from './keys.js'
import { registerList } from './list.js'
import { registerLog } from './log.js'
import { registerMigrate } from './migrate.js'
import { registerProve } from './prove.js'
import { registerSeal } from './seal.js'
import { registerServe } from './serve.js'
import { registerTail } from './tail.js'
import { registerVerify } from './verify.js'

/** Every command of the `auditkit` binary, one module each, in the order `--help` lists them. */
export function registerCommands(program: Command, io: CliIo, box: ExitBox): void {
  registerMigrate(program, io, box)
  registerLog(program, io, box)
  registerList(program, io, box)
  registerTail(program, io, box)
  registerExport(program, io, box)
  registerKeys(program, io, box)
  registerSeal(program, io, box)
  registerVerify(program, io, box)
  registerProve(program, io, box)
  registerApiKeys(program, io, box)
  registerServe(program, io, box)
}
