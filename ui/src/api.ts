// The service's API as the widget calls it: every call with the session as bearer token, renewed and
// repeated once when the service answers 401.
import type { DryRun, RecordFile, RunDetail, StreamUrl, WorkflowType } from './logic/api-types.js'
import { ApiError, problemMessage } from './logic/problem.js'
import type { SessionSource } from './session-source.js'

export class Api {
  constructor(
    /** The service's base URL, ending in `/`. */
    readonly base: string,
    readonly recordId: string,
    private readonly sessions: SessionSource,
  ) {}

  private url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.base).href
  }

  private get record(): string {
    return `api/v1/records/${encodeURIComponent(this.recordId)}`
  }

  /** Sends a request; returns the answer of a 2xx, throws ApiError otherwise (status 0: no answer). */
  async send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
    const attempt = async (renewed: boolean): Promise<Response> => {
      const session = renewed ? await this.sessions.renew() : await this.sessions.get()
      const headers: Record<string, string> = { Authorization: `Bearer ${session.token}`, Accept: accept }
      if (body !== undefined) headers['Content-Type'] = 'application/json'
      let answer: Response
      try {
        answer = await fetch(this.url(path), {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: 'omit',
        })
      } catch {
        throw new ApiError(0, null, problemMessage(0, null))
      }
      if (answer.status === 401 && !renewed && this.sessions.renewable) return attempt(true)
      if (!answer.ok) {
        const problem = (await answer.json().catch(() => null)) as Record<string, unknown> | null
        throw new ApiError(answer.status, problem, problemMessage(answer.status, problem))
      }
      return answer
    }
    return attempt(false)
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const answer = await this.send(method, path, body)
    return { status: answer.status, body: (await answer.json()) as T }
  }

  async files(): Promise<RecordFile[]> {
    return (await this.json<{ files: RecordFile[] }>('GET', `${this.record}/files`)).body.files
  }

  /** The catalog; null when this identity may not read it (then the files' type names suffice). */
  async workflowTypes(): Promise<WorkflowType[] | null> {
    try {
      return (await this.json<{ items: WorkflowType[] }>('GET', 'api/v1/workflow-types')).body.items
    } catch (error) {
      if (error instanceof ApiError && (error.status === 403 || error.status === 401)) return null
      throw error
    }
  }

  async run(name: string): Promise<RunDetail> {
    return (await this.json<RunDetail>('GET', `api/v1/workflows/${encodeURIComponent(name)}`)).body
  }

  async dryRun(type: string, files: string[], parameters: Record<string, unknown>): Promise<DryRun> {
    const body = { type, files, parameters, dryRun: true }
    return (await this.json<DryRun>('POST', `${this.record}/workflows`, body)).body
  }

  async start(type: string, files: string[], parameters: Record<string, unknown>): Promise<{ name: string }> {
    return (
      await this.json<{ name: string }>('POST', `${this.record}/workflows`, { type, files, parameters })
    ).body
  }

  async act(name: string, action: string): Promise<{ resubmitted?: { name: string } }> {
    const path = `api/v1/workflows/${encodeURIComponent(name)}/${action}`
    return (await this.json<{ resubmitted?: { name: string } }>('POST', path)).body
  }

  /**
   * A signed URL for an EventSource: `events`, or `logs:<run>`. Only its query (the signature) is
   * taken; the path is built on this client's base, so the stream goes where the API calls go even
   * when the service's PUBLIC_URL names another host (localhost vs 127.0.0.1, a proxy).
   */
  async streamUrl(scope: string): Promise<string> {
    const { body } = await this.json<StreamUrl>('POST', `${this.record}/stream-urls`, { scope })
    const signed = new URL(body.url, this.base)
    const path =
      scope === 'events'
        ? `${this.record}/events`
        : `api/v1/workflows/${encodeURIComponent(scope.slice(5))}/logs`
    return `${this.url(path)}${signed.search}`
  }

  async logsText(name: string, step: string | null): Promise<string> {
    const query = step ? `?step=${encodeURIComponent(step)}` : ''
    const answer = await this.send(
      'GET',
      `api/v1/workflows/${encodeURIComponent(name)}/logs${query}`,
      undefined,
      'text/plain',
    )
    return answer.text()
  }
}
