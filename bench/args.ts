import { parseArgs } from 'node:util'

/** The engines a run can measure. */
export type EngineName = 'sqlite' | 'postgres'

/**
 * The suites a run can measure: reads and writes (`main`), tamper evidence (`tamper`), and the
 * sealing of one large backlog on a fresh, never analyzed table (`backlog`, on its own table).
 */
export type SuiteName = 'main' | 'tamper' | 'backlog' | 'cli' | 'http'

/** What `npm run bench -- ...` asked for. */
export interface BenchArgs {
  /** Entries in the table the reads run on. */
  readonly rows: number
  readonly engines: readonly EngineName[]
  /** Which suites to run, in this order. */
  readonly suites: readonly SuiteName[]
  /** Where to write the run as a Markdown section, if anywhere. */
  readonly markdown: string | undefined
  /** Print the query plans of auditkit's first-page queries. */
  readonly explain: boolean
  /** Backlog suite: also run verify() over the whole sealed log. */
  readonly verify: boolean
}

/** A command line that cannot be run; its message says what to fix. */
export class ArgsError extends Error {
  override readonly name = 'ArgsError'
}

export const MIN_ROWS = 10_000
export const MAX_ROWS = 10_000_000
const DEFAULT_ROWS = 100_000
/** The backlog suite's default: the size the "rate at the end" criterion is stated for. */
const DEFAULT_BACKLOG_ROWS = 1_000_000

export const USAGE = `usage: npm run bench -- [--rows N] [--engine sqlite|postgres|all] [--suite main|tamper|backlog|cli|http|all] [--markdown FILE] [--explain] [--verify]
  --rows      entries in the table, ${MIN_ROWS.toLocaleString('en-US')}..${MAX_ROWS.toLocaleString('en-US')} (default ${DEFAULT_ROWS.toLocaleString('en-US')}, ${DEFAULT_BACKLOG_ROWS.toLocaleString('en-US')} for --suite backlog, cli and http;
              1_000_000, 1,000,000 and 1e6 are accepted)
  --engine    which store to measure (default all)
  --suite     main: reads and writes; tamper: sealing, writes beside the background sealer, verify,
              inclusion proofs (on a log of at least --rows sealed entries); all: main, then tamper
              on the same table (default all); backlog (only on its own): one seal() of a backlog of
              --rows entries on a fresh table that is never analyzed, its rate at the start and at the end;
              cli (only on its own, needs npm run build): the auditkit binary's export (JSONL, CSV) and
              verify-export beside the library doing the same work, each in its own process, with peak RSS;
              http (only on its own, needs npm run build): auditkit serve in a child process under autocannon:
              POST /v1/events beside createLogEntry, first page and proof latency, export rate and RSS, live tail lag
  --markdown  also write the results as a Markdown section to FILE
  --explain   also print the query plans of auditkit's first-page queries (main suite)
  --verify    backlog suite: also run verify() over the whole sealed log (slow at 1,000,000)
PostgreSQL: AUDITKIT_PG_URL (default postgres://postgres@127.0.0.1:5432/test); the run uses a schema bench_<pid> and drops it.`

function parseRows(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const plain = text.replace(/[_,]/g, '')
  const rows = /^\d+(e\d+)?$/i.test(plain) ? Number(plain) : Number.NaN
  if (!Number.isSafeInteger(rows) || rows < MIN_ROWS || rows > MAX_ROWS) {
    throw new ArgsError(
      `--rows must be a whole number from ${MIN_ROWS.toLocaleString('en-US')} to ${MAX_ROWS.toLocaleString('en-US')} (got '${text}')`,
    )
  }
  return rows
}

function parseEngines(text: string | undefined): EngineName[] {
  switch (text ?? 'all') {
    case 'all':
      return ['sqlite', 'postgres']
    case 'sqlite':
      return ['sqlite']
    case 'postgres':
      return ['postgres']
    default:
      throw new ArgsError(`--engine must be sqlite, postgres or all (got '${text}')`)
  }
}

function parseSuites(text: string | undefined): SuiteName[] {
  switch (text ?? 'all') {
    case 'all':
      return ['main', 'tamper']
    case 'main':
      return ['main']
    case 'tamper':
      return ['tamper']
    case 'backlog':
      return ['backlog']
    case 'cli':
      return ['cli']
    case 'http':
      return ['http']
    default:
      throw new ArgsError(`--suite must be main, tamper, backlog, cli, http or all (got '${text}')`)
  }
}

/** Reads the command line; throws ArgsError on anything it does not understand. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        rows: { type: 'string' },
        engine: { type: 'string' },
        suite: { type: 'string' },
        markdown: { type: 'string' },
        explain: { type: 'boolean' },
        verify: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (error) {
    throw new ArgsError((error as Error).message)
  }
  if (values.help === true) throw new ArgsError('')
  const markdown = values.markdown as string | undefined
  if (markdown !== undefined && markdown.trim() === '') throw new ArgsError('--markdown needs a file name')
  const suites = parseSuites(values.suite as string | undefined)
  const backlog = suites.includes('backlog')
  // The suites that run the built binary: 1,000,000 entries by default, no --explain.
  const binary = suites.includes('cli') || suites.includes('http')
  if (values.verify === true && !backlog) throw new ArgsError('--verify is for --suite backlog')
  if (values.explain === true && (backlog || binary)) throw new ArgsError('--explain is only for the main suite')
  return {
    rows: parseRows(values.rows as string | undefined, backlog || binary ? DEFAULT_BACKLOG_ROWS : DEFAULT_ROWS),
    engines: parseEngines(values.engine as string | undefined),
    suites,
    markdown,
    explain: values.explain === true,
    verify: values.verify === true,
  }
}
