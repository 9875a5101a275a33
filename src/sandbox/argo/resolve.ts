// Finding templates: the workflow's own, a WorkflowTemplate's or a ClusterWorkflowTemplate's, with
// the messages Argo gives when one is missing.
import type { ObjectStore } from '../types.js'
import type { Template, TemplateRef, Workflow, WorkflowSpec, WorkflowTemplateObject } from './model.js'

export class TemplateNotFoundError extends Error {}

/** Where a template's sibling templates come from: `template: x` inside it resolves against these. */
export interface TemplateScope {
  kind: 'local' | 'namespaced' | 'cluster'
  name: string
  templates: Template[]
}

export interface ResolvedTemplate {
  template: Template
  scope: TemplateScope
  /** What the node records: templateName for local-scope calls, templateRef for referenced ones. */
  templateName?: string
  templateRef?: TemplateRef
}

export interface TemplateHolder {
  template?: string
  templateRef?: TemplateRef
}

export function scopeLabel(scope: TemplateScope): string {
  return `${scope.kind}/${scope.name}`
}

export class TemplateResolver {
  constructor(
    private readonly store: ObjectStore,
    private readonly namespace: string,
  ) {}

  getWorkflowTemplate(name: string, clusterScope = false): WorkflowTemplateObject {
    const found = clusterScope
      ? this.store.get('clusterworkflowtemplates', undefined, name)
      : this.store.get('workflowtemplates', this.namespace, name)
    if (!found) {
      const plural = clusterScope ? 'clusterworkflowtemplates' : 'workflowtemplates'
      throw new TemplateNotFoundError(`${plural}.argoproj.io "${name}" not found`)
    }
    return found as WorkflowTemplateObject
  }

  resolve(holder: TemplateHolder, scope: TemplateScope): ResolvedTemplate {
    if (holder.templateRef) {
      const ref = holder.templateRef
      const owner = this.getWorkflowTemplate(ref.name, ref.clusterScope)
      const templates = owner.spec?.templates ?? []
      const template = templates.find((t) => t.name === ref.template)
      if (!template)
        throw new TemplateNotFoundError(`template reference ${ref.name}.${ref.template} not found`)
      const refScope: TemplateScope = {
        kind: ref.clusterScope ? 'cluster' : 'namespaced',
        name: ref.name,
        templates,
      }
      return { template, scope: refScope, templateRef: { ...ref } }
    }
    const name = holder.template ?? ''
    const template = scope.templates.find((t) => t.name === name)
    if (!template) throw new TemplateNotFoundError(`template name '${name}' undefined`)
    if (scope.kind === 'local') return { template, scope, templateName: name }
    // a template called by name from inside a referenced WorkflowTemplate is still recorded by reference
    return {
      template,
      scope,
      templateRef: {
        name: scope.name,
        template: name,
        ...(scope.kind === 'cluster' ? { clusterScope: true } : {}),
      },
    }
  }
}

function mergeParameters<T extends { name: string }>(
  preferred: T[] | undefined,
  fallback: T[] | undefined,
): T[] {
  const out = [...(preferred ?? [])]
  for (const p of fallback ?? []) if (!out.some((q) => q.name === p.name)) out.push(p)
  return out
}

/**
 * The spec the workflow runs: its own, or, with workflowTemplateRef, the template's spec with the
 * workflow's own fields (and arguments, by name) taking precedence, as Argo's setExecWorkflow merges them.
 */
export function executionSpec(workflow: Workflow, resolver: TemplateResolver): WorkflowSpec {
  const spec = workflow.spec ?? {}
  const ref = spec.workflowTemplateRef
  if (!ref) return spec
  const stored = resolver.getWorkflowTemplate(ref.name, ref.clusterScope).spec ?? {}
  const merged: WorkflowSpec = { ...stored }
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'workflowTemplateRef' || key === 'templates' || value === undefined) continue
    merged[key] = value
  }
  merged.templates = stored.templates ?? []
  merged.arguments = {
    ...(stored.arguments ?? {}),
    ...(spec.arguments ?? {}),
    parameters: mergeParameters(spec.arguments?.parameters, stored.arguments?.parameters),
  }
  return merged
}
