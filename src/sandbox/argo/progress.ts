// Workflow-wide derived values: Argo's progress counters and the {{workflow.failures}} list.
import { isFailedOrError, type NodeStatus, type Nodes } from './model.js'
import { podName, templateNameOfNode } from './names.js'

/** 1/1 or 0/1 per pod, summed over each node's children graph; returns the workflow's total. */
export function updateProgress(nodes: Nodes): string {
  let done = 0
  let total = 0
  for (const node of Object.values(nodes)) {
    if (node.type !== 'Pod') continue
    node.progress = node.phase === 'Succeeded' ? '1/1' : '0/1'
    total++
    if (node.phase === 'Succeeded') done++
  }
  for (const node of Object.values(nodes)) {
    if (node.type === 'Pod') continue
    const visited = new Set<string>()
    let d = 0
    let t = 0
    const walk = (n: NodeStatus): void => {
      for (const id of n.children ?? []) {
        if (visited.has(id)) continue
        visited.add(id)
        const child = nodes[id]
        if (!child) continue
        walk(child)
        if (child.type === 'Pod') {
          t++
          if (child.phase === 'Succeeded') d++
        }
      }
    }
    walk(node)
    node.progress = `${d}/${t}`
  }
  return `${done}/${total}`
}

/** The JSON list `{{workflow.failures}}` expands to in exit handlers. */
export function failuresJson(workflowName: string, nodes: Nodes): string {
  const failed = Object.values(nodes)
    .filter((n) => isFailedOrError(n.phase))
    .map((n) => ({
      displayName: n.displayName,
      message: n.message ?? '',
      templateName: n.templateName ?? '',
      phase: n.phase,
      podName: n.type === 'Pod' ? podName(workflowName, n, templateNameOfNode(n)) : n.id,
      finishedAt: n.finishedAt,
    }))
  return JSON.stringify(failed)
}
