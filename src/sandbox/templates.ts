// Stores the WorkflowTemplates shipped in workflow-templates/ in the sandbox, as `kubectl apply` would.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { BEHAVIOR_ANNOTATION } from './argo/index.js'
import type { KubeObject, ObjectStore } from './types.js'

export const SHIPPED_TEMPLATES_DIR = fileURLToPath(new URL('../../workflow-templates', import.meta.url))

/** Applies every WorkflowTemplate and ClusterWorkflowTemplate in the folder's top level; returns their names. */
export async function applyWorkflowTemplates(
  store: ObjectStore,
  namespace: string,
  dir: string = SHIPPED_TEMPLATES_DIR,
  /** Sandbox step behaviour to script on a template (see docs/sandbox.md), e.g. results for the demo. */
  behaviorFor?: (template: KubeObject) => Record<string, unknown> | undefined,
): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f)).sort()
  const applied: string[] = []
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const object = doc.toJS() as KubeObject | null
      if (!object || (object.kind !== 'WorkflowTemplate' && object.kind !== 'ClusterWorkflowTemplate'))
        continue
      const behavior = behaviorFor?.(object)
      if (behavior) {
        object.metadata.annotations = {
          ...object.metadata.annotations,
          [BEHAVIOR_ANNOTATION]: JSON.stringify(behavior),
        }
      }
      const resource = object.kind === 'WorkflowTemplate' ? 'workflowtemplates' : 'clusterworkflowtemplates'
      const ns = resource === 'workflowtemplates' ? namespace : undefined
      const existing = store.get(resource, ns, object.metadata.name ?? '')
      if (existing) {
        store.update(resource, ns, {
          ...object,
          metadata: { ...object.metadata, namespace: ns, resourceVersion: existing.metadata.resourceVersion },
        })
      } else {
        store.create(resource, ns, { ...object, metadata: { ...object.metadata, namespace: ns } })
      }
      applied.push(object.metadata.name ?? '')
    }
  }
  return applied
}
