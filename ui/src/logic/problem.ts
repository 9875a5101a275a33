// What an API answer that is not a success means for the person looking at the widget.

/** An API answer that is not a success, with the problem+json body when there was one. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly problem: Record<string, unknown> | null,
    message: string,
  ) {
    super(message)
  }
}

/** The sentence to show: the problem's detail, else its title, else the status. */
export function problemMessage(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const { title, detail } = body as Record<string, unknown>
    if (typeof detail === 'string' && detail) return detail
    if (typeof title === 'string' && title) return title
  }
  if (status === 0) return 'The service could not be reached.'
  return `The service answered ${status}.`
}

/** How the whole widget should react to a failed call. */
export type Trouble = 'no-access' | 'unreachable' | 'session-ended' | 'not-found' | 'other'

export function troubleOf(status: number): Trouble {
  if (status === 401) return 'session-ended'
  if (status === 403) return 'no-access'
  if (status === 404) return 'not-found'
  // 0: the network failed (fetch threw); 502/503/504: the service or Invenio behind it.
  if (status === 0 || status === 502 || status === 503 || status === 504) return 'unreachable'
  return 'other'
}
