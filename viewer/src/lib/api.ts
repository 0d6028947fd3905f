// Every request the viewer makes: same origin, under /v1, the key in the Authorization header
// and nowhere else (never the URL: the server refuses a key there anyway).

/** A non-2xx answer, with the problem+json detail when the server sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Query parameters; an array repeats the parameter, undefined and '' leave it out. */
export type Query = Record<string, string | number | readonly string[] | undefined>

/** `/v1<path>?<query>`, with repeated parameters for arrays. */
export function apiPath(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one))
  }
  const qs = params.toString()
  return `/v1${path}${qs === '' ? '' : `?${qs}`}`
}

async function problemMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as {
      detail?: string
      title?: string
      errors?: { field: string; message: string }[]
    }
    const fields = body.errors?.map((e) => `${e.field} ${e.message}`).join('; ')
    return fields || body.detail || body.title || response.statusText
  } catch {
    return response.statusText || `HTTP ${response.status}`
  }
}

/** Fetches `/v1<path>` with the key; rejects with an ApiError on a non-2xx status. */
export async function apiFetch(apiKey: string, path: string, query?: Query, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(apiPath(path, query), {
    ...init,
    headers: { ...init.headers, Authorization: `Bearer ${apiKey}` },
    credentials: 'omit',
    cache: 'no-store',
  })
  if (!response.ok) throw new ApiError(response.status, await problemMessage(response))
  return response
}

/** Fetches and parses JSON. */
export async function apiJson<T>(apiKey: string, path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  const response = await apiFetch(apiKey, path, query, signal ? { signal } : {})
  return (await response.json()) as T
}

/** Fetches text (the checkpoint note). */
export async function apiText(apiKey: string, path: string): Promise<string> {
  return (await apiFetch(apiKey, path)).text()
}
