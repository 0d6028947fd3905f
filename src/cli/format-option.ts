import { Option } from 'commander'
import type { Format } from './output.js'

/** `--format <format>` limited to `formats` (commander refuses others: exit 2), `table` by default. */
export function formatOption(formats: readonly Format[], fallback: Format = 'table'): Option {
  return new Option('--format <format>', 'output format').choices(formats).default(fallback)
}
