// The start dialog: choose a workflow type and files, fill in the type's parameters (a form from its
// JSON Schema), review the dry run's warnings, then start. A native modal <dialog> traps focus and
// closes on Escape.
import { css, html, LitElement, nothing } from 'lit'
import type { Api } from './api.js'
import type { DryRun, RecordFile, WorkflowType } from './logic/api-types.js'
import { filesForType, startableTypes, typeTitle, warningText } from './logic/files.js'
import { ApiError } from './logic/problem.js'
import { fieldsFromSchema, parametersFromInputs, type FormField } from './logic/schema-form.js'
import { baseStyles } from './styles.js'

type Inputs = Record<string, string | boolean>

export class StartDialog extends LitElement {
  static override properties = {
    api: { attribute: false },
    files: { attribute: false },
    types: { attribute: false },
    type: { state: true },
    chosen: { state: true },
    inputs: { state: true },
    fieldErrors: { state: true },
    review: { state: true },
    errors: { state: true },
    busy: { state: true },
  }

  api: Api | null = null
  files: RecordFile[] = []
  types: WorkflowType[] | null = null

  protected type = ''
  protected chosen: ReadonlySet<string> = new Set()
  protected inputs: Inputs = {}
  protected fieldErrors: Record<string, string> = {}
  protected review: DryRun | null = null
  protected errors: string[] = []
  protected busy = false

  static override styles = [
    baseStyles,
    css`
      dialog {
        width: min(40rem, calc(100vw - 1rem));
        max-height: calc(100vh - 2rem);
        border: 1px solid var(--cw-border);
        border-radius: var(--cw-radius);
        color: var(--cw-fg);
        background: var(--cw-bg);
        padding: 1rem;
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.45);
      }
      fieldset {
        border: 1px solid var(--cw-border);
        border-radius: var(--cw-radius);
        margin: 0 0 var(--cw-gap);
        padding: 0.5rem 0.75rem;
        min-width: 0;
      }
      .field {
        display: grid;
        gap: 0.2rem;
        margin: 0 0 var(--cw-gap);
      }
      .check {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        overflow-wrap: anywhere;
        margin: 0.25rem 0;
      }
      .error-text {
        color: var(--cw-bad);
      }
      ul {
        margin: 0.25rem 0 0;
        padding-left: 1.25rem;
      }
      .actions {
        justify-content: flex-end;
      }
    `,
  ]

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog')
  }

  /** Opens the dialog with the first type that applies preselected. */
  async open(): Promise<void> {
    const types = startableTypes(this.files, this.types)
    this.selectType(types[0]?.name ?? '')
    await this.updateComplete
    this.dialog?.showModal()
  }

  close(): void {
    this.dialog?.close()
  }

  private get fields(): FormField[] {
    const type = this.types?.find((candidate) => candidate.name === this.type)
    return fieldsFromSchema(type?.parameters)
  }

  private selectType(name: string): void {
    this.type = name
    const candidates = filesForType(this.files, name).filter((file) => !file.lockedBy)
    this.chosen = new Set(candidates.length === 1 ? [candidates[0]!.key] : [])
    this.inputs = Object.fromEntries(this.fields.map((field) => [field.name, field.initial]))
    this.changed()
  }

  /** Any change makes the last review stale. */
  private changed(): void {
    this.review = null
    this.errors = []
    this.fieldErrors = {}
  }

  private toggleFile(key: string, checked: boolean): void {
    const next = new Set(this.chosen)
    if (checked) next.add(key)
    else next.delete(key)
    this.chosen = next
    this.changed()
  }

  private setInput(name: string, value: string | boolean): void {
    this.inputs = { ...this.inputs, [name]: value }
    this.changed()
  }

  private request(): { files: string[]; parameters: Record<string, unknown> } | null {
    if (!this.type) {
      this.errors = ['Choose a workflow type.']
      return null
    }
    const files = this.files.map((file) => file.key).filter((key) => this.chosen.has(key))
    if (files.length === 0) {
      this.errors = ['Choose at least one file.']
      return null
    }
    const { parameters, errors } = parametersFromInputs(this.fields, this.inputs)
    this.fieldErrors = errors
    if (Object.keys(errors).length) {
      this.errors = Object.values(errors)
      return null
    }
    return { files, parameters }
  }

  private async call(action: (api: Api) => Promise<void>): Promise<void> {
    if (!this.api) return
    this.busy = true
    this.errors = []
    try {
      await action(this.api)
    } catch (error) {
      this.errors = messagesOf(error)
    } finally {
      this.busy = false
    }
  }

  private async onReview(): Promise<void> {
    const request = this.request()
    if (!request) return
    await this.call(async (api) => {
      this.review = await api.dryRun(this.type, request.files, request.parameters)
    })
  }

  private async onStart(): Promise<void> {
    const request = this.request()
    if (!request) return
    await this.call(async (api) => {
      const started = await api.start(this.type, request.files, request.parameters)
      this.close()
      this.dispatchEvent(new CustomEvent('started', { detail: started }))
      this.dispatchEvent(
        new CustomEvent('compchem-run-started', { detail: started, bubbles: true, composed: true }),
      )
    })
  }

  protected override render() {
    const types = startableTypes(this.files, this.types)
    const candidates = filesForType(this.files, this.type)
    const description = this.types?.find((type) => type.name === this.type)?.description
    const fields = this.fields
    return html`<dialog aria-labelledby="start-title" @close=${() => this.changed()}>
      <h3 id="start-title">Start a workflow</h3>
      ${
        types.length === 0
          ? html`<p>No workflow applies to the files of this draft yet.</p>`
          : html`
              <div class="field">
                <label for="type">Workflow type</label>
                <select
                  id="type"
                  @change=${(e: Event) => this.selectType((e.target as HTMLSelectElement).value)}
                >
                  ${types.map(
                    (type) =>
                      html`<option value=${type.name} ?selected=${type.name === this.type}>
                        ${typeTitle(type)}
                      </option>`,
                  )}
                </select>
                ${description ? html`<span class="muted">${description}</span>` : nothing}
              </div>
              <fieldset>
                <legend>Files</legend>
                ${candidates.map(
                  (file, index) =>
                    html`<div class="check">
                      <input
                        type="checkbox"
                        id=${`file-${index}`}
                        .checked=${this.chosen.has(file.key)}
                        aria-describedby=${file.lockedBy ? `file-${index}-busy` : nothing}
                        @change=${(e: Event) => this.toggleFile(file.key, (e.target as HTMLInputElement).checked)}
                      />
                      <label for=${`file-${index}`}>${file.key}</label>
                      ${
                        file.lockedBy
                          ? html`<span id=${`file-${index}-busy`} class="muted"
                              >(in run ${file.lockedBy})</span
                            >`
                          : nothing
                      }
                    </div>`,
                )}
              </fieldset>
              ${
                fields.length
                  ? html`<fieldset>
                      <legend>Parameters</legend>
                      ${fields.map((field) => this.renderField(field))}
                    </fieldset>`
                  : nothing
              }
            `
      }
      ${this.renderReview()}
      ${
        this.errors.length
          ? html`<div role="alert" class="notice bad">
              ${
                this.errors.length === 1
                  ? this.errors[0]
                  : html`<ul>
                      ${this.errors.map((error) => html`<li>${error}</li>`)}
                    </ul>`
              }
            </div>`
          : nothing
      }
      <div class="row actions">
        <button @click=${() => this.close()}>Cancel</button>
        <button ?disabled=${this.busy || types.length === 0} @click=${this.onReview}>Review</button>
        <button class="primary" ?disabled=${this.busy || !this.review} @click=${this.onStart}>Start</button>
      </div>
    </dialog>`
  }

  private renderReview() {
    if (!this.review) return nothing
    const { wouldStart, warnings } = this.review
    const summary = html`<p>
      This starts <strong>${wouldStart.name}</strong> on ${wouldStart.files.length}
      ${wouldStart.files.length === 1 ? 'file' : 'files'}.
    </p>`
    if (warnings.length === 0) return html`<div role="status" class="notice">${summary}</div>`
    return html`<div role="alert" class="notice warn">
      ${summary}
      <ul>
        ${warnings.map((warning) => html`<li>${warningText(warning)}</li>`)}
      </ul>
    </div>`
  }

  private renderField(field: FormField) {
    const id = `param-${field.name}`
    const error = this.fieldErrors[field.name]
    const described = [field.description ? `${id}-help` : '', error ? `${id}-error` : '']
      .filter(Boolean)
      .join(' ')
    const value = this.inputs[field.name]
    const onInput = (e: Event) => {
      const target = e.target as HTMLInputElement
      this.setInput(field.name, target.type === 'checkbox' ? target.checked : target.value)
    }
    let control
    if (field.kind === 'boolean')
      control = html`<input
        type="checkbox"
        id=${id}
        .checked=${value === true}
        @change=${onInput}
        aria-describedby=${described || nothing}
      />`
    else if (field.kind === 'enum')
      control = html`<select
        id=${id}
        @change=${onInput}
        ?required=${field.required}
        aria-describedby=${described || nothing}
      >
        ${field.required ? nothing : html`<option value="" ?selected=${value === ''}>(default)</option>`}
        ${field.options!.map((option, index) => html`<option value=${String(index)} ?selected=${value === String(index)}>${option.label}</option>`)}
      </select>`
    else
      control = html`<input
        id=${id}
        type=${field.kind === 'number' || field.kind === 'integer' ? 'number' : 'text'}
        step=${field.kind === 'integer' ? '1' : field.kind === 'number' ? 'any' : nothing}
        min=${field.minimum ?? nothing}
        max=${field.maximum ?? nothing}
        maxlength=${field.maxLength ?? nothing}
        ?required=${field.required}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${described || nothing}
        .value=${typeof value === 'string' ? value : ''}
        @input=${onInput}
      />`
    return html`<div class=${field.kind === 'boolean' ? 'check' : 'field'}>
      ${field.kind === 'boolean' ? html`${control}<label for=${id}>${field.label}</label>` : html`<label for=${id}>${field.label}</label>${control}`}
      ${field.description ? html`<span id=${`${id}-help`} class="muted">${field.description}</span>` : nothing}
      ${error ? html`<span id=${`${id}-error`} class="error-text">${error}</span>` : nothing}
    </div>`
  }
}

/** The problem's detail, plus its per-field errors when it lists them. */
function messagesOf(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [error instanceof Error ? error.message : String(error)]
  const details = Array.isArray(error.problem?.errors)
    ? (error.problem.errors as Array<{ path?: string; message?: string }>).map(
        (item) => `${item.path ? `${item.path.replace(/^\/parameters\//, '')}: ` : ''}${item.message ?? ''}`,
      )
    : []
  return [error.message, ...details]
}
