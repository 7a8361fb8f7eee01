/**
 * The page's only way to the service: JSON over fetch, to URLs relative to the page (/ui), so the
 * page talks to the origin that served it, behind nginx or not. An error answer becomes an
 * ApiError carrying the body's own message: panels show it as the API words it.
 */

/** An error answer of the API (its documented body), or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string | undefined
  readonly field: string | undefined

  constructor (message: string, status: number, code?: string, field?: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
  }
}

/** The error body every 4xx/5xx of the service carries (README, "Errors"). */
interface ErrorBody { statusCode?: number, code?: string, field?: string, message?: string }

async function toApiError (response: Response): Promise<ApiError> {
  const text = await response.text()
  let body: ErrorBody | undefined
  try {
    body = JSON.parse(text) as ErrorBody
  } catch {
    body = undefined
  }
  // the API's own words when it sent its error body; otherwise what the HTTP layer said (e.g. a proxy's 502)
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${response.status} ${response.statusText}: ${text.slice(0, 200)}`
  return new ApiError(message, response.status, body?.code, body?.field)
}

async function request<T> (path: string, init: RequestInit): Promise<T> {
  let response: Response
  try {
    response = await fetch(new URL(path, document.baseURI), { ...init, headers: { accept: 'application/json', ...init.headers } })
  } catch (err) {
    throw new ApiError(`no answer from the service: ${(err as Error).message}`, 0)
  }
  if (!response.ok) throw await toApiError(response)
  return await response.json() as T
}

/** GET a path relative to the page, e.g. 'v1/models'. */
export async function getJson<T> (path: string): Promise<T> {
  return await request<T>(path, { method: 'GET' })
}

/** POST a JSON body to a path relative to the page, e.g. 'v1/estimate'. */
export async function postJson<T> (path: string, body: unknown): Promise<T> {
  return await request<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

/** The message to show for anything a request threw. */
export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Settles a request into its value or its error, so one failed series does not hide the others. */
export async function settle<T> (promise: Promise<T>): Promise<{ ok: true, value: T } | { ok: false, error: string }> {
  try {
    return { ok: true, value: await promise }
  } catch (err) {
    return { ok: false, error: messageOf(err) }
  }
}
