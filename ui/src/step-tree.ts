// A run's steps as a tree (role="tree"): one item per step with its phase, elapsed time and result,
// and under it one item per file the step reported on. Arrow keys move between items.
import { html, nothing } from 'lit'
import type { RunStep } from './logic/api-types.js'
import { elapsed } from './logic/format.js'
import { phaseLabel, phaseTone, resultLabel } from './logic/outcome.js'

const tone = (status: string) => (status === 'SUCCESS' ? 'ok' : status === 'FAILURE' ? 'bad' : 'pending')

/** Roving focus among the tree's items (WAI-ARIA tree pattern, without collapsing). */
function onTreeKey(event: KeyboardEvent): void {
  const tree = event.currentTarget as HTMLElement
  const items = [...tree.querySelectorAll<HTMLElement>('[role="treeitem"]')]
  const index = items.indexOf(event.target as HTMLElement)
  if (index < 0) return
  const target =
    event.key === 'ArrowDown'
      ? items[index + 1]
      : event.key === 'ArrowUp'
        ? items[index - 1]
        : event.key === 'Home'
          ? items[0]
          : event.key === 'End'
            ? items[items.length - 1]
            : undefined
  if (!target) return
  event.preventDefault()
  items.forEach((item) => (item.tabIndex = item === target ? 0 : -1))
  target.focus()
}

export function stepTree(steps: readonly RunStep[], now: number) {
  if (steps.length === 0) return html`<p class="muted">No steps have started yet.</p>`
  return html`<ul role="tree" aria-label="Steps" class="tree" @keydown=${onTreeKey}>
    ${steps.map((step, index) => {
      const files = Object.entries(step.result?.files ?? {})
      const time = elapsed(step.startedAt, step.finishedAt, now)
      const result = step.result ? resultLabel(step.result.status) : null
      return html`<li
        role="treeitem"
        tabindex=${index === 0 ? 0 : -1}
        aria-expanded=${files.length ? 'true' : nothing}
        aria-level="1"
      >
        <div class="row">
          <strong>${step.displayName || step.name}</strong>
          <span class="badge ${phaseTone(step.phase)}">${phaseLabel(step.phase)}</span>
          ${time ? html`<span class="muted">${time}</span>` : nothing}
          ${result ? html`<span class="badge ${tone(step.result!.status)}">${result}</span>` : nothing}
        </div>
        ${step.result?.message ? html`<div>${step.result.message}</div>` : nothing}
        ${
          step.message && step.message !== step.result?.message
            ? html`<div class="muted">${step.message}</div>`
            : nothing
        }
        ${
          files.length
            ? html`<ul role="group">
                ${files.map(
                  ([key, status]) =>
                    html`<li role="treeitem" tabindex="-1" aria-level="2" class="row">
                      <span class="key">${key}</span>
                      <span class="badge ${tone(status)}">${resultLabel(status) ?? status}</span>
                    </li>`,
                )}
              </ul>`
            : nothing
        }
      </li>`
    })}
  </ul>`
}
