// Saving a fetched file: the response (fetched with the key in the header) becomes a blob and a
// temporary <a download>; the server streams it, the browser holds only what the download needs.
import { apiFetch, type Query } from './api.js'

function filenameOf(response: Response, fallback: string): string {
  const disposition = response.headers.get('Content-Disposition') ?? ''
  return disposition.match(/filename="?([^";]+)"?/)?.[1] ?? fallback
}

/** Saves a Blob under a file name, through a temporary object URL. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.hidden = true
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** Fetches `/v1<path>` with the key and saves the body as a file. */
export async function downloadApi(apiKey: string, path: string, query: Query, fallbackName: string): Promise<void> {
  const response = await apiFetch(apiKey, path, query)
  saveBlob(await response.blob(), filenameOf(response, fallbackName))
}
