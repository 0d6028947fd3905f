// A Server-Sent Events reader over fetch: EventSource cannot send an Authorization header.
// The parsing follows the HTML standard's "event stream interpretation", minus `retry`.

/** One dispatched event. */
export interface SseEvent {
  readonly event: string
  readonly data: string
  readonly id: string | undefined
}

/**
 * A push parser: feed it decoded text in any chunks, it calls `onEvent` for each complete event.
 *
 * @example
 * const parser = createSseParser((e) => console.log(e.event, e.data))
 * parser.push('event: entry\ndata: {}\n\n')
 */
export function createSseParser(onEvent: (event: SseEvent) => void): { push(text: string): void } {
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | undefined
  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n'), id })
      event = ''
      data = []
      return
    }
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const name = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (name === 'event') event = value
    else if (name === 'data') data.push(value)
    else if (name === 'id' && !value.includes('\0')) id = value
  }
  return {
    push(text: string) {
      buffer += text
      // A \r at the end may be the first half of a \r\n split across chunks: keep it for the next.
      const held = buffer.endsWith('\r') ? '\r' : ''
      const lines = (held ? buffer.slice(0, -1) : buffer).split(/\r\n|\r|\n/)
      // The last piece is a line still arriving.
      buffer = (lines.pop() ?? '') + held
      for (const l of lines) line(l)
    },
  }
}

/** Reads a streaming response body as SSE until it ends or `signal` aborts. */
export async function readSse(
  response: Response,
  onEvent: (event: SseEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const body = response.body
  if (body === null) return
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  const parser = createSseParser(onEvent)
  const cancel = () => void reader.cancel().catch(() => {})
  signal.addEventListener('abort', cancel, { once: true })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done || signal.aborted) return
      parser.push(value)
    }
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}
