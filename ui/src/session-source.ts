// Where the widget's session comes from, and keeping it fresh: the host's session endpoint (POSTed
// with the Invenio cookie), a getSession function, or a session handed in as a property. Renewed
// about a minute before it expires, and once more when the service answers 401.
import { isUsable, renewalDelayMs, sessionFromJson, type Session } from './logic/session.js'

/** Why no session could be had; the widget shows a state for each. */
export class SessionError extends Error {
  override readonly name = 'SessionError'
  constructor(
    readonly reason: 'forbidden' | 'ended' | 'unreachable',
    message: string,
  ) {
    super(message)
  }
}

export interface SessionOptions {
  /** Invenio's view that mints a session for the logged-in user (same origin as the page). */
  endpoint?: string | null
  getSession?: (() => Promise<Session>) | null
  session?: Session | null
}

export class SessionSource {
  private session: Session | null
  private renewing: Promise<Session> | null = null
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly options: SessionOptions,
    private readonly onRenewed: (session: Session) => void = () => {},
  ) {
    this.session = options.session ?? null
  }

  /** Whether a new session can be asked for at all (else an expired one means "session ended"). */
  get renewable(): boolean {
    return Boolean(this.options.endpoint || this.options.getSession)
  }

  /** A usable session: the current one, or a new one. */
  async get(): Promise<Session> {
    if (this.session && isUsable(this.session, Date.now())) return this.session
    return this.renew()
  }

  /** A new session (after a 401, or before expiry); concurrent callers share one request. */
  renew(): Promise<Session> {
    this.renewing ??= this.fetchSession().finally(() => (this.renewing = null))
    return this.renewing
  }

  stop(): void {
    clearTimeout(this.timer)
  }

  private async fetchSession(): Promise<Session> {
    const session = await this.ask()
    this.session = session
    this.schedule(session)
    this.onRenewed(session)
    return session
  }

  private async ask(): Promise<Session> {
    if (this.options.getSession) {
      let answer: unknown
      try {
        answer = await this.options.getSession()
      } catch (error) {
        // A host may reject with the status its session view answered.
        const status = (error as { status?: unknown } | null)?.status
        if (status === 403) throw new SessionError('forbidden', 'The repository refused a session.')
        if (status === 401) throw new SessionError('ended', 'You are no longer signed in to the repository.')
        throw new SessionError('unreachable', 'No session could be had from the host page.')
      }
      const session = sessionFromJson(answer)
      if (!session) throw new SessionError('ended', 'The host page gave no valid session.')
      return session
    }
    if (!this.options.endpoint) throw new SessionError('ended', 'Your session has ended.')
    let answer: Response
    try {
      answer = await fetch(this.options.endpoint, {
        method: 'POST',
        credentials: 'include',
        headers: { Accept: 'application/json' },
      })
    } catch {
      throw new SessionError('unreachable', 'The repository could not be reached for a session.')
    }
    if (answer.status === 403) throw new SessionError('forbidden', 'The repository refused a session.')
    if (answer.status === 401)
      throw new SessionError('ended', 'You are no longer signed in to the repository.')
    if (!answer.ok) throw new SessionError('unreachable', `The repository answered ${answer.status}.`)
    const session = sessionFromJson(await answer.json().catch(() => null))
    if (!session) throw new SessionError('unreachable', 'The repository answered without a session.')
    return session
  }

  private schedule(session: Session): void {
    clearTimeout(this.timer)
    if (!this.renewable) return
    // Renewal failures are not fatal here: the next call that needs the session tries again.
    this.timer = setTimeout(() => void this.renew().catch(() => {}), renewalDelayMs(session, Date.now()))
  }
}
