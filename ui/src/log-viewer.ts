// A run's logs: all steps or one, read once or followed live over the logs event stream, with an
// auto-scroll that lets go when the reader scrolls up and takes hold again at the bottom; the same
// text can be downloaded.
import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import type { Api } from './api.js'
import { LiveStream, type StreamState } from './live-stream.js'
import type { RunStep } from './logic/api-types.js'
import { ApiError } from './logic/problem.js'
import { baseStyles } from './styles.js'

const MAX_LINES = 20_000

export class LogViewer extends LitElement {
  static override properties = {
    api: { attribute: false },
    run: { attribute: false },
    steps: { attribute: false },
    live: { attribute: false },
    step: { state: true },
    follow: { state: true },
    lines: { state: true },
    state: { state: true },
    error: { state: true },
  }

  api: Api | null = null
  run = ''
  steps: RunStep[] = []
  /** The run has not ended: follow by default. */
  live = false

  protected step = ''
  protected follow = false
  protected lines: string[] = []
  protected state: StreamState | 'idle' | 'loading' = 'idle'
  protected error = ''
  private stream: LiveStream | null = null
  private stickToBottom = true
  private loadCount = 0

  static override styles = [
    baseStyles,
    css`
      .log {
        height: 20rem;
        overflow: auto;
        margin: var(--cw-gap) 0 0;
        padding: 0.5rem;
        border: 1px solid var(--cw-border);
        border-radius: var(--cw-radius);
        background: var(--cw-surface);
        font-family: var(--cw-mono, ui-monospace, monospace);
        font-size: 0.85em;
      }
      .log div {
        min-height: 1.2em;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
    `,
  ]

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.stream?.stop()
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('run')) this.follow = this.live
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('run') || changed.has('step') || changed.has('follow')) this.reload()
    if (changed.has('lines') && this.stickToBottom) {
      const log = this.renderRoot.querySelector<HTMLElement>('.log')
      if (log) log.scrollTop = log.scrollHeight
    }
  }

  private reload(): void {
    this.stream?.stop()
    this.stream = null
    this.lines = []
    this.error = ''
    this.stickToBottom = true
    if (!this.api || !this.run) return
    if (this.follow) this.startFollowing(this.api)
    else void this.readOnce(this.api)
  }

  private async readOnce(api: Api): Promise<void> {
    const load = ++this.loadCount
    this.state = 'loading'
    try {
      const text = await api.logsText(this.run, this.step || null)
      if (load !== this.loadCount) return
      this.lines = text.split('\n').filter((line, index, all) => line !== '' || index < all.length - 1)
      this.state = 'idle'
    } catch (error) {
      if (load !== this.loadCount) return
      this.state = 'idle'
      this.error = logError(error)
    }
  }

  private startFollowing(api: Api): void {
    this.loadCount += 1
    const params: Record<string, string> = { follow: 'true' }
    if (this.step) params.step = this.step
    this.stream = new LiveStream({
      mint: () => api.streamUrl(`logs:${this.run}`),
      params,
      events: ['log', 'step', 'end'],
      finalEvents: ['end'],
      onEvent: (name, data) => this.onLogEvent(name, data),
      onState: (state, error) => {
        this.state = state
        if (error && state === 'failed') this.error = logError(error)
      },
      isFatal: (error) => error instanceof ApiError && [401, 403, 404, 410].includes(error.status),
    })
    this.stream.start()
  }

  private onLogEvent(name: string, data: string): void {
    let event: { step?: string; line?: string; state?: string; message?: string; reason?: string }
    try {
      event = JSON.parse(data)
    } catch {
      return
    }
    const line =
      name === 'log'
        ? `[${event.step}] ${event.line ?? ''}`
        : name === 'step'
          ? `— ${event.step}: ${event.message ?? event.state}`
          : `— ${event.reason ?? 'end of the logs'}`
    const lines = [...this.lines, line]
    this.lines = lines.length > MAX_LINES ? lines.slice(lines.length - MAX_LINES) : lines
  }

  private onScroll(event: Event): void {
    const log = event.target as HTMLElement
    this.stickToBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8
  }

  private async download(): Promise<void> {
    if (!this.api) return
    try {
      const text = await this.api.logsText(this.run, this.step || null)
      const link = document.createElement('a')
      link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }))
      link.download = `${this.run}${this.step ? `-${this.step}` : ''}.log`
      link.click()
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
    } catch (error) {
      this.error = logError(error)
    }
  }

  protected override render() {
    const names = [...new Set(this.steps.map((step) => step.displayName || step.name))]
    return html`<h4>Logs</h4>
      <div class="row">
        <label for="step">Step</label>
        <select id="step" @change=${(e: Event) => (this.step = (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${this.step === ''}>All steps</option>
          ${names.map((name) => html`<option value=${name} ?selected=${this.step === name}>${name}</option>`)}
        </select>
        <input
          type="checkbox"
          id="follow"
          .checked=${this.follow}
          @change=${(e: Event) => (this.follow = (e.target as HTMLInputElement).checked)}
        />
        <label for="follow">Follow</label>
        <button @click=${this.download}>Download logs</button>
        ${this.state === 'reconnecting' ? html`<span role="status">Reconnecting to the logs…</span>` : nothing}
      </div>
      ${this.error ? html`<p role="alert" class="notice bad">${this.error}</p>` : nothing}
      <div class="log" role="log" aria-label="Logs" tabindex="0" @scroll=${this.onScroll}>
        ${
          this.lines.length === 0
            ? html`<div class="muted">
                ${this.state === 'loading' || this.state === 'connecting' ? 'Loading…' : 'No log lines yet.'}
              </div>`
            : this.lines.map((line) => html`<div>${line}</div>`)
        }
      </div>`
  }
}

function logError(error: unknown): string {
  if (error instanceof ApiError && error.status === 410)
    return "The logs are no longer available: the run's pods have been removed."
  return error instanceof Error ? error.message : String(error)
}
