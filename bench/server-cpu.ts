import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc's times (USER_HZ): 100 on every Linux Node.js runs on. */
const TICKS_PER_SECOND = 100

/**
 * The CPU time, in milliseconds, that every process named `postgres` on this machine has used so
 * far, its reaped children included (/proc: utime, stime, cutime, cstime): the server's work, for a
 * PostgreSQL on the same machine. A backend that exits between two readings moves from its own
 * entry into the postmaster's children's times, so the difference of two readings stays whole.
 * Undefined where /proc cannot tell (not Linux, or no such process): a server elsewhere.
 */
export function serverCpuMs(): number | undefined {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p))
  } catch {
    return undefined
  }
  let ticks = 0
  let found = false
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // The name is in parentheses and may hold spaces: the fields after it are split from its end.
      const close = stat.lastIndexOf(')')
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue
      const fields = stat.slice(close + 2).split(' ')
      // Fields 14-17 of proc(5) (utime, stime, cutime, cstime) are 11-14 after the name.
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
      found = true
    } catch {
      // The process exited while being read: its time is in its parent's children's times now.
    }
  }
  return found ? (ticks * 1000) / TICKS_PER_SECOND : undefined
}

/** CPU time spent in this process and in the server from now, in microseconds, when asked. */
export function cpuMeter(engine: 'sqlite' | 'postgres'): () => { here: number; server: number | undefined } {
  const here = process.cpuUsage()
  const server = engine === 'postgres' ? serverCpuMs() : undefined
  return () => {
    const used = process.cpuUsage(here)
    const now = server === undefined ? undefined : serverCpuMs()
    return {
      here: used.user + used.system,
      server: server === undefined || now === undefined ? undefined : (now - server) * 1000,
    }
  }
}

/** `12.3 µs/entry` in this process, `+ 4.5 in the server` when the server's is known. */
export function cpuText(here: number, server: number | undefined): string {
  return `${here.toFixed(1)}${server === undefined ? '' : ` + ${server.toFixed(1)} in the server`} µs/entry`
}

/** The mean of values all known, else undefined. */
export function meanOrUndefined(values: readonly (number | undefined)[]): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length
}
