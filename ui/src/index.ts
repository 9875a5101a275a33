// The widget's module: defines <compchem-workflows> and its parts. Embedding: docs/ui-embedding.md.
import { CompchemWorkflows } from './compchem-workflows.js'
import { LogViewer } from './log-viewer.js'
import { RunView } from './run-view.js'
import { StartDialog } from './start-dialog.js'

const elements: Array<[string, CustomElementConstructor]> = [
  ['cw-start-dialog', StartDialog],
  ['cw-log-viewer', LogViewer],
  ['cw-run-view', RunView],
  ['compchem-workflows', CompchemWorkflows],
]
// Loaded twice (the page and a bundle of the host both import it): define once.
for (const [name, element] of elements) if (!customElements.get(name)) customElements.define(name, element)

export { CompchemWorkflows }
export type { Session } from './logic/session.js'
