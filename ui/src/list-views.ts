// The record view's two lists as templates: the draft's files and the runs.
import { html, nothing } from 'lit'
import type { RecordFile } from './logic/api-types.js'
import { fileStatus } from './logic/files.js'
import { elapsed, progressLabel } from './logic/format.js'
import { isEnded, phaseLabel, phaseTone, resultLabel } from './logic/outcome.js'
import type { RunEntry } from './logic/runs.js'

export function filesTable(files: readonly RecordFile[]) {
  if (files.length === 0) return html`<p class="muted">No files in this draft yet.</p>`
  return html`
    <div class="scroll">
      <table class="files">
        <caption>
          Files
        </caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col" class="wide">Workflows</th>
            <th scope="col">Status</th>
            <th scope="col" class="wide">Run</th>
          </tr>
        </thead>
        <tbody>
          ${files.map((file) => {
            const status = fileStatus(file)
            const types = file.types.length ? file.types.join(', ') : 'none'
            return html`<tr>
              <th scope="row" class="key">
                ${file.key}<br /><span class="muted small">${file.mimetype}</span>
                <span class="narrow small"><br />Workflows: ${types}</span>
                ${file.lockedBy ? html`<span class="narrow small"><br />Run: ${file.lockedBy}</span>` : nothing}
              </th>
              <td class="wide">${file.types.length ? types : html`<span class="muted">none</span>`}</td>
              <td><span class="badge ${status.tone}">${status.label}</span></td>
              <td class="wide key">${file.lockedBy ?? html`<span class="muted">—</span>`}</td>
            </tr>`
          })}
        </tbody>
      </table>
    </div>
  `
}

export interface RunsListOptions {
  runs: readonly RunEntry[]
  loaded: boolean
  now: number
  suspended: ReadonlySet<string>
  open: (name: string) => void
}

export function runsList({ runs, loaded, now, suspended, open }: RunsListOptions) {
  if (!loaded) return html`<p role="status">Loading…</p>`
  if (runs.length === 0) return html`<p class="muted">No runs yet — start one above.</p>`
  return html`<ul class="runs" aria-labelledby="runs-heading">
    ${runs.map((run) => {
      const isSuspended = suspended.has(run.name)
      const outcome = run.outcome && isEnded(run.phase) ? resultLabel(run.outcome.status) : null
      const progress = progressLabel(run.progress)
      const time = elapsed(run.startedAt, run.finishedAt, now)
      return html`<li>
        <div class="row">
          <button class="link run-name" data-run=${run.name} @click=${() => open(run.name)}>
            ${run.name}
          </button>
          <span class="badge ${phaseTone(run.phase, isSuspended)}"
            >${phaseLabel(run.phase, isSuspended)}</span
          >
          ${outcome ? html`<span>Outcome: ${outcome}</span>` : nothing}
        </div>
        <div class="row muted small">
          <span>${run.type}</span>
          <span>${run.files.length === 1 ? run.files[0] : `${run.files.length} files`}</span>
          ${progress ? html`<span>${progress}</span>` : nothing}
          ${time ? html`<span>${isEnded(run.phase) ? 'took' : 'running for'} ${time}</span>` : nothing}
        </div>
        ${run.message ? html`<div class="small">${run.message}</div>` : nothing}
      </li>`
    })}
  </ul>`
}
