import type { Command } from 'commander'
import type { CliIo } from '../io.js'
import type { ExitBox } from '../program.js'

/** Not written yet. */
export function registerVerify(_program: Command, _io: CliIo, _box: ExitBox): void {}
