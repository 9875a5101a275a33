// <compchem-workflows record-id="…" api-base="…" session-endpoint="…">: a record's files, its runs
// kept live from the record event stream, the start dialog and the run view (docs/ui-embedding.md).
import { html, LitElement, nothing, type PropertyValues } from 'lit'
import { Api } from './api.js'
import { filesTable, runsList } from './list-views.js'
import { LiveStream, type StreamState } from './live-stream.js'
import type { RecordFile, WorkflowType } from './logic/api-types.js'
import { toastText } from './logic/outcome.js'
import { ApiError, troubleOf } from './logic/problem.js'
import { EMPTY_RUNS, parseRecordEvent, reduceRuns, type RunsState } from './logic/runs.js'
import { isUsable, safeReturnUrl, type Session } from './logic/session.js'
import { SessionError, SessionSource } from './session-source.js'
import type { StartDialog } from './start-dialog.js'
import { baseStyles, workflowsStyles } from './styles.js'

type View =
  'idle' | 'loading' | 'ready' | 'no-access' | 'unreachable' | 'session-ended' | 'not-found' | 'error'

interface Toast {
  id: number
  text: string
}

const TOAST_MS = 8_000
const RETRY_SECONDS = [5, 10, 20, 30]

/** The module's own location: by default the service that served it is the API. */
const defaultApiBase = new URL('../', import.meta.url).href

export class CompchemWorkflows extends LitElement {
  static override properties = {
    recordId: { type: String, attribute: 'record-id' },
    apiBase: { type: String, attribute: 'api-base' },
    sessionEndpoint: { type: String, attribute: 'session-endpoint' },
    returnUrl: { type: String, attribute: 'return-url' },
    session: { attribute: false },
    getSession: { attribute: false },
    accessDenied: { type: Boolean, attribute: 'access-denied' },
    view: { state: true },
    files: { state: true },
    runs: { state: true },
    streamState: { state: true },
    selectedRun: { state: true },
    toasts: { state: true },
    message: { state: true },
    retryIn: { state: true },
    now: { state: true },
    suspended: { state: true },
  }

  recordId = ''
  /** The service's URL; default: where this module was loaded from. */
  apiBase = ''
  /** Invenio's view minting a session for the logged-in user (POST, with its cookie). */
  sessionEndpoint = ''
  /** The record's page in Invenio, linked when the session has ended. */
  returnUrl = ''
  /** A session handed in by the host page (`{ token, expiresAt }`). */
  session: Session | null = null
  /** Or a function the widget calls for a session, now and before it expires. */
  getSession: (() => Promise<Session>) | null = null
  /** The host already knows the user may not see the record (the no-access state, without calls). */
  accessDenied = false

  protected view: View = 'idle'
  protected files: RecordFile[] = []
  protected types: WorkflowType[] | null = null
  protected runs: RunsState = EMPTY_RUNS
  protected streamState: StreamState = 'connecting'
  protected selectedRun: string | null = null
  protected toasts: Toast[] = []
  protected message = ''
  protected retryIn = 0
  protected now = Date.now()
  protected suspended: ReadonlySet<string> = new Set()

  private api: Api | null = null
  private sessions: SessionSource | null = null
  private stream: LiveStream | null = null
  private generation = 0
  private failures = 0
  private timers = new Set<ReturnType<typeof setTimeout>>()
  private ticker: ReturnType<typeof setInterval> | undefined
  private filesRefresh: ReturnType<typeof setTimeout> | undefined
  private seenCompletions = new Set<string>()
  private toastCount = 0

  static override styles = [baseStyles, workflowsStyles]

  override connectedCallback(): void {
    super.connectedCallback()
    this.ticker = setInterval(() => (this.now = Date.now()), 1000)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearInterval(this.ticker)
    this.stopAll()
  }

  protected override updated(changed: PropertyValues<this>): void {
    const inputs = [
      'recordId',
      'apiBase',
      'sessionEndpoint',
      'session',
      'getSession',
      'accessDenied',
    ] as const
    if (inputs.some((name) => changed.has(name))) void this.restart()
  }

  /** Reloads everything (as after "Retry now"). */
  async reload(): Promise<void> {
    await this.restart()
  }

  private stopAll(): void {
    this.generation += 1
    this.stream?.stop()
    this.stream = null
    this.sessions?.stop()
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    clearTimeout(this.filesRefresh)
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      action()
    }, ms)
    this.timers.add(timer)
  }

  private async restart(): Promise<void> {
    this.stopAll()
    const generation = this.generation
    if (!this.recordId) return
    if (this.accessDenied) {
      this.view = 'no-access'
      return
    }
    const sessions = new SessionSource({
      endpoint: this.sessionEndpoint || null,
      getSession: this.getSession,
      session: this.session,
    })
    if (!sessions.renewable) {
      if (!isUsable(this.session, Date.now())) {
        this.view = 'session-ended'
        return
      }
      // A session nobody can renew ends the widget when it expires.
      this.later(Date.parse(this.session!.expiresAt) - Date.now(), () => this.show('session-ended'))
    }
    this.sessions = sessions
    const base = this.apiBase || defaultApiBase
    this.api = new Api(base.endsWith('/') ? base : `${base}/`, this.recordId, sessions)
    if (this.view !== 'unreachable') this.view = 'loading'
    this.runs = EMPTY_RUNS
    try {
      const [files, types] = await Promise.all([this.api.files(), this.api.workflowTypes().catch(() => null)])
      if (generation !== this.generation) return
      this.files = files
      this.types = types
      this.failures = 0
      this.view = 'ready'
      this.openStream(generation)
    } catch (error) {
      if (generation === this.generation) this.fail(error)
    }
  }

  private openStream(generation: number): void {
    const api = this.api!
    this.stream = new LiveStream({
      mint: () => api.streamUrl('events'),
      events: ['snapshot', 'workflow', 'completed'],
      onEvent: (name, data) => this.onRecordEvent(name, data),
      onState: (state, error) => {
        if (generation !== this.generation) return
        this.streamState = state
        if (state === 'failed') this.fail(error)
      },
      isFatal: (error) => ['no-access', 'session-ended', 'not-found'].includes(this.troubleOf(error)),
    })
    this.stream.start()
  }

  private onRecordEvent(name: string, data: string): void {
    const event = parseRecordEvent(name, data)
    if (!event) return
    this.runs = reduceRuns(this.runs, event)
    if (event.event === 'snapshot') return
    this.refreshFilesSoon()
    if (event.event !== 'completed') return
    const key = `${event.data.name}:${event.data.attempt}`
    if (this.seenCompletions.has(key)) return
    this.seenCompletions.add(key)
    this.toast(toastText(event.data.name, event.data.phase, event.data.status))
    this.dispatchEvent(
      new CustomEvent('compchem-run-completed', { detail: event.data, bubbles: true, composed: true }),
    )
  }

  private refreshFilesSoon(): void {
    clearTimeout(this.filesRefresh)
    this.filesRefresh = setTimeout(() => {
      const generation = this.generation
      this.api
        ?.files()
        .then((files) => generation === this.generation && (this.files = files))
        .catch(() => {})
    }, 400)
  }

  private toast(text: string): void {
    const id = ++this.toastCount
    this.toasts = [...this.toasts, { id, text }]
    this.later(TOAST_MS, () => (this.toasts = this.toasts.filter((toast) => toast.id !== id)))
  }

  private troubleOf(error: unknown) {
    if (error instanceof SessionError)
      return error.reason === 'forbidden'
        ? 'no-access'
        : error.reason === 'ended'
          ? 'session-ended'
          : 'unreachable'
    if (error instanceof ApiError) return troubleOf(error.status)
    return 'other'
  }

  private show(view: View): void {
    this.stopAll()
    this.view = view
  }

  private fail(error: unknown): void {
    const trouble = this.troubleOf(error)
    if (trouble === 'unreachable') {
      this.show('unreachable')
      const seconds = RETRY_SECONDS[Math.min(this.failures, RETRY_SECONDS.length - 1)]!
      this.failures += 1
      this.retryIn = seconds
      const tick = () => {
        this.retryIn -= 1
        if (this.retryIn <= 0) void this.restart()
        else this.later(1000, tick)
      }
      this.later(1000, tick)
      return
    }
    this.message = error instanceof Error ? error.message : String(error)
    this.show(trouble === 'other' ? 'error' : trouble)
  }

  private openRun(name: string | null): void {
    const previous = this.selectedRun
    this.selectedRun = name
    void this.updateComplete.then(() => {
      if (name) return
      const button = [...this.renderRoot.querySelectorAll<HTMLElement>('button[data-run]')].find(
        (element) => element.dataset.run === previous,
      )
      button?.focus()
    })
  }

  private onRunDetail(event: CustomEvent<{ name: string; suspended: boolean }>): void {
    const { name, suspended } = event.detail
    if (this.suspended.has(name) === suspended) return
    const next = new Set(this.suspended)
    if (suspended) next.add(name)
    else next.delete(name)
    this.suspended = next
  }

  private openStartDialog(): void {
    this.renderRoot.querySelector<StartDialog>('cw-start-dialog')?.open()
  }

  private get returnLink() {
    const url = safeReturnUrl(this.returnUrl)
    return url ? html`<a href=${url}>Open this record in Invenio again</a>` : nothing
  }

  protected override render() {
    return html`
      <h2>Workflows</h2>
      ${
        this.view === 'ready' && this.streamState === 'reconnecting'
          ? html`<p role="status" class="notice warn">Live updates were interrupted. Reconnecting…</p>`
          : nothing
      }
      ${this.renderBody()}
      <div class="toasts" role="status">
        ${this.toasts.map((toast) => html`<div class="toast">${toast.text}</div>`)}
      </div>
    `
  }

  private renderBody() {
    switch (this.view) {
      case 'idle':
      case 'loading':
        return html`<p role="status">Loading…</p>`
      case 'no-access':
        return html`<div role="alert" class="notice bad">
          <p>You don't have access to this record's workflows.</p>
          <p>
            Ask the record's owner to share the draft with you with edit rights, or sign in to the repository
            as a user who may edit it.
          </p>
          ${this.returnLink}
        </div>`
      case 'unreachable':
        return html`<div role="alert" class="notice bad">
          <p>The workflow service or the repository is unreachable right now.</p>
          <p class="row">
            <span>Retrying in ${this.retryIn} s…</span>
            <button @click=${() => void this.restart()}>Retry now</button>
          </p>
        </div>`
      case 'session-ended':
        return html`<div role="alert" class="notice warn">
          <p>Your session has ended.</p>
          ${
            safeReturnUrl(this.returnUrl)
              ? html`<p>${this.returnLink} to continue.</p>`
              : html`<p>Reload the record's page in the repository to continue.</p>`
          }
        </div>`
      case 'not-found':
        return html`<div role="alert" class="notice bad">
          <p>This record was not found. It may have been deleted, or the link is wrong.</p>
          ${this.returnLink}
        </div>`
      case 'error':
        return html`<div role="alert" class="notice bad">
          <p>Something went wrong: ${this.message}</p>
          <button @click=${() => void this.restart()}>Try again</button>
        </div>`
      case 'ready':
        return this.renderReady()
    }
  }

  private renderReady() {
    if (this.selectedRun) {
      const summary = this.runs.runs.find((run) => run.name === this.selectedRun) ?? null
      return html`<cw-run-view
        .api=${this.api}
        .name=${this.selectedRun}
        .summary=${summary}
        .now=${this.now}
        @back=${() => this.openRun(null)}
        @open-run=${(event: CustomEvent<string>) => this.openRun(event.detail)}
        @run-detail=${this.onRunDetail}
      ></cw-run-view>`
    }
    return html`
      <div class="toolbar">
        <button class="primary" @click=${this.openStartDialog}>Start a workflow</button>
      </div>
      ${filesTable(this.files)}
      <h3 id="runs-heading">Runs</h3>
      ${runsList({
        runs: this.runs.runs,
        loaded: this.runs.loaded,
        now: this.now,
        suspended: this.suspended,
        open: (name) => this.openRun(name),
      })}
      <cw-start-dialog
        .api=${this.api}
        .files=${this.files}
        .types=${this.types}
        @started=${() => this.refreshFilesSoon()}
      ></cw-start-dialog>
    `
  }
}
