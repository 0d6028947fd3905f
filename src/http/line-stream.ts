// Bytes per chunk written to the socket: large enough that the per-chunk cost vanishes, small
// enough that memory stays flat whatever the export's size.
const CHUNK_BYTES = 64 * 1024

/** What {@link lineStreamResponse} sends: the lines of an export and how they are labelled. */
export interface LineStreamOptions<T> {
  /** The items, newest first or in seq order: read one at a time, as the client takes the bytes. */
  readonly items: AsyncIterator<T>
  /** One item as one line, with its line ending. */
  readonly line: (item: T) => string
  /** Written before the first line (a CSV header); empty by default. */
  readonly head?: string
  readonly contentType: string
  /** The file name a browser saves the download as. */
  readonly filename: string
}

/**
 * A 200 whose body is `head` then `line(item)` for every item, in chunks of about 64 KiB, pulled
 * only when the client has taken the previous one (the stream's backpressure): constant memory for
 * any number of items. The first item is read before the response is built, so that a database
 * that cannot be reached is still a problem+json error rather than an empty download; an error
 * later can only cut the body short.
 */
export async function lineStreamResponse<T>(options: LineStreamOptions<T>): Promise<Response> {
  const { items, line, head = '', contentType, filename } = options
  const encoder = new TextEncoder()
  let next = await items.next()
  let pending = head
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let text = pending
        pending = ''
        try {
          while (next.done !== true && text.length < CHUNK_BYTES) {
            text += line(next.value)
            next = await items.next()
          }
        } catch (error) {
          controller.error(error)
          return
        }
        if (text !== '') controller.enqueue(encoder.encode(text))
        if (next.done === true) controller.close()
      },
      async cancel() {
        await items.return?.()
      },
    },
    { highWaterMark: 0 },
  )
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': contentType,
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
