// How values are shown in the table. Everything is rendered as text by Preact, never as HTML.

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** `2026-11-29 19:01:26` in local time, or `2026-11-29 19:01:26Z` in UTC. */
export function formatTime(iso: string, utc: boolean): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  if (utc) return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  return `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** An ISO-8601 instant as a datetime-local input's value (local time, to the minute). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso)
  if (iso === '' || Number.isNaN(d.getTime())) return ''
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A datetime-local input's value (local time) as an ISO-8601 instant, or '' when empty or invalid. */
export function fromLocalInput(value: string): string {
  if (value === '') return ''
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? '' : d.toISOString()
}

const BROWSERS: readonly [RegExp, string][] = [
  [/Edg\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/Chrome\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari/, 'Safari'],
  [/curl\/([\d.]+)/, 'curl'],
]
const SYSTEMS: readonly [RegExp, string][] = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad/, 'iOS'],
  [/Android/, 'Android'],
  [/Mac OS X/, 'macOS'],
  [/Linux/, 'Linux'],
]

/** A user agent in a few words (`Chrome 120 on macOS`), or its first 40 characters. */
export function shortAgent(agent: string | null): string {
  if (agent === null || agent === '') return ''
  const browser = BROWSERS.find(([re]) => re.test(agent))
  const system = SYSTEMS.find(([re]) => re.test(agent))
  if (browser) {
    const version = agent.match(browser[0])?.[1] ?? ''
    return `${browser[1]} ${version}${system ? ` on ${system[1]}` : ''}`
  }
  return agent.length > 40 ? `${agent.slice(0, 39)}…` : agent
}

/** `key: value, key: value` of a metadata object, cut to `max` characters. */
export function metadataPreview(metadata: Record<string, unknown>, max = 60): string {
  const text = Object.entries(metadata)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ')
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
