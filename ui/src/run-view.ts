// One run: its status, steps and results, the actions it allows now (destructive ones confirmed in
// an alertdialog) and its logs. Refreshed when the record stream reports a change of the run.
import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import type { Api } from './api.js'
import type { RunDetail } from './logic/api-types.js'
import { elapsed, progressLabel } from './logic/format.js'
import { isEnded, phaseLabel, phaseTone, resultLabel } from './logic/outcome.js'
import { ApiError } from './logic/problem.js'
import type { RunEntry } from './logic/runs.js'
import { stepTree } from './step-tree.js'
import { baseStyles } from './styles.js'

const ACTION_LABELS: Record<string, string> = {
  stop: 'Stop',
  terminate: 'Terminate',
  suspend: 'Suspend',
  resume: 'Resume',
  retry: 'Retry',
  resubmit: 'Resubmit',
}

const CONFIRM: Record<string, string> = {
  stop: 'Stop this run? Running steps are stopped; its exit handler still runs. The run ends as Failed.',
  terminate: 'Terminate this run at once? Running steps are killed without cleanup. The run ends as Failed.',
  resubmit: 'Start a new run with the same type, files and parameters?',
}

export class RunView extends LitElement {
  static override properties = {
    api: { attribute: false },
    name: { attribute: false },
    summary: { attribute: false },
    now: { attribute: false },
    detail: { state: true },
    error: { state: true },
    notice: { state: true },
    confirming: { state: true },
    busy: { state: true },
  }

  api: Api | null = null
  name = ''
  /** The run as the live list has it: a change of it means the detail is stale. */
  summary: RunEntry | null = null
  now = Date.now()

  protected detail: RunDetail | null = null
  protected error = ''
  protected notice = ''
  protected confirming: string | null = null
  protected busy = false
  private refreshTimer: ReturnType<typeof setTimeout> | undefined

  static override styles = [
    baseStyles,
    css`
      section.run > * + * {
        margin-top: var(--cw-gap);
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25rem 0.75rem;
        margin: 0;
      }
      dt {
        color: var(--cw-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .tree,
      .tree ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .tree > li {
        border: 1px solid var(--cw-border);
        border-radius: var(--cw-radius);
        padding: 0.5rem 0.75rem;
        margin: 0 0 0.5rem;
      }
      .tree ul {
        padding-left: 1rem;
        margin-top: 0.35rem;
      }
      .key {
        overflow-wrap: anywhere;
      }
      dialog {
        border: 2px solid var(--cw-bad);
        border-radius: var(--cw-radius);
        color: var(--cw-fg);
        background: var(--cw-bg);
        max-width: min(30rem, calc(100vw - 1rem));
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.45);
      }
      @container (max-width: 30rem) {
        dl {
          grid-template-columns: 1fr;
        }
      }
    `,
  ]

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearTimeout(this.refreshTimer)
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('name')) {
      this.detail = null
      this.error = ''
      void this.load()
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('h3')?.focus())
    } else if (changed.has('summary') && changed.get('summary') !== undefined) {
      // Several events may arrive at once: one reload for them.
      clearTimeout(this.refreshTimer)
      this.refreshTimer = setTimeout(() => void this.load(), 300)
    }
  }

  private async load(): Promise<void> {
    if (!this.api || !this.name) return
    const name = this.name
    try {
      const detail = await this.api.run(name)
      if (name !== this.name) return
      this.detail = detail
      this.error = ''
      const suspended = detail.allowedActions.includes('resume') && !isEnded(detail.phase)
      this.dispatchEvent(new CustomEvent('run-detail', { detail: { name, suspended } }))
    } catch (error) {
      if (name === this.name) this.error = error instanceof Error ? error.message : String(error)
    }
  }

  private ask(action: string): void {
    if (!CONFIRM[action]) {
      void this.act(action)
      return
    }
    this.confirming = action
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLDialogElement>('dialog')?.showModal(),
    )
  }

  private closeConfirm(): void {
    this.renderRoot.querySelector<HTMLDialogElement>('dialog')?.close()
    this.confirming = null
  }

  private async act(action: string): Promise<void> {
    if (!this.api) return
    this.busy = true
    this.notice = ''
    this.error = ''
    try {
      const result = await this.api.act(this.name, action)
      if (result.resubmitted) {
        this.notice = `Resubmitted as ${result.resubmitted.name}.`
        this.dispatchEvent(new CustomEvent('open-run', { detail: result.resubmitted.name }))
        return
      }
      this.notice = `${ACTION_LABELS[action]} requested.`
      await this.load()
      // The cluster may take a moment to show the change (a suspend sends no stream event): look again.
      clearTimeout(this.refreshTimer)
      this.refreshTimer = setTimeout(() => void this.load(), 1500)
    } catch (error) {
      this.error = error instanceof ApiError || error instanceof Error ? error.message : String(error)
    } finally {
      this.busy = false
    }
  }

  protected override render() {
    const detail = this.detail
    const live = this.summary
    // The live list is fresher for phase and times; the detail has steps, results and actions.
    const phase = live?.phase ?? detail?.phase ?? ''
    const suspended = Boolean(detail?.allowedActions.includes('resume')) && !isEnded(phase)
    const steps = detail?.steps ?? live?.steps ?? []
    const startedAt = live?.startedAt ?? detail?.startedAt ?? null
    const finishedAt = live?.finishedAt ?? detail?.finishedAt ?? null
    const time = elapsed(startedAt, finishedAt, this.now)
    const progress = progressLabel(live?.progress ?? detail?.progress)
    const outcome = live?.outcome ? resultLabel(live.outcome.status) : null
    return html`<section class="run" aria-label=${`Run ${this.name}`}>
      <div class="row">
        <button @click=${() => this.dispatchEvent(new CustomEvent('back'))}>Back to runs</button>
      </div>
      <h3 tabindex="-1" class="key">${this.name}</h3>
      <div class="row">
        <span class="badge ${phaseTone(phase, suspended)}">${phaseLabel(phase, suspended)}</span>
        ${outcome ? html`<span>Outcome: ${outcome}</span>` : nothing}
        ${progress ? html`<span>${progress}</span>` : nothing}
        ${time ? html`<span>${isEnded(phase) ? 'took' : 'running for'} ${time}</span>` : nothing}
      </div>
      ${this.notice ? html`<p role="status" class="notice">${this.notice}</p>` : nothing}
      ${this.error ? html`<p role="alert" class="notice bad">${this.error}</p>` : nothing}
      ${detail ? this.renderActions(detail) : html`<p role="status">Loading…</p>`}
      ${detail ? this.renderFacts(detail) : nothing}
      <h4>Steps</h4>
      ${stepTree(steps, this.now)}
      <cw-log-viewer
        .api=${this.api}
        .run=${this.name}
        .steps=${steps}
        .live=${!isEnded(phase)}
      ></cw-log-viewer>
      ${this.confirming ? this.renderConfirm(this.confirming) : nothing}
    </section>`
  }

  private renderActions(detail: RunDetail) {
    if (detail.allowedActions.length === 0) return nothing
    return html`<div class="row" role="group" aria-label="Actions">
      ${detail.allowedActions.map(
        (action) =>
          html`<button
            class=${CONFIRM[action] && action !== 'resubmit' ? 'danger' : ''}
            ?disabled=${this.busy}
            @click=${() => this.ask(action)}
          >
            ${ACTION_LABELS[action] ?? action}
          </button>`,
      )}
    </div>`
  }

  private renderFacts(detail: RunDetail) {
    const parameters = Object.entries(detail.parameters ?? {})
    return html`<dl>
      <dt>Type</dt>
      <dd>${detail.type}</dd>
      <dt>Files</dt>
      <dd>${detail.files.join(', ')}</dd>
      ${
        parameters.length
          ? html`<dt>Parameters</dt>
              <dd>${parameters.map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join(', ')}</dd>`
          : nothing
      }
      ${
        detail.message
          ? html`<dt>Message</dt>
              <dd>${detail.message}</dd>`
          : nothing
      }
    </dl>`
  }

  private renderConfirm(action: string) {
    return html`<dialog
      role="alertdialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
      @cancel=${() => (this.confirming = null)}
    >
      <h4 id="confirm-title">${ACTION_LABELS[action]} ${this.name}?</h4>
      <p id="confirm-text">${CONFIRM[action]}</p>
      <div class="row">
        <button
          class="primary"
          @click=${() => {
            this.closeConfirm()
            void this.act(action)
          }}
        >
          Confirm
        </button>
        <button @click=${() => this.closeConfirm()}>Cancel</button>
      </div>
    </dialog>`
  }
}
