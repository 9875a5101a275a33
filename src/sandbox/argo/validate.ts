// The controller's one-time validation (after workflow/validate/validate.go): what Argo reports as
// "invalid spec: <reason>" when the minimal CRDs let an invalid Workflow through.
import { dependsTaskNames } from './expressions.js'
import type { DagTask, Template, WorkflowSpec } from './model.js'
import {
  TemplateNotFoundError,
  type TemplateHolder,
  type TemplateResolver,
  type TemplateScope,
} from './resolve.js'

export class SpecError extends Error {}

const FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/
const PARAM_NAME = /^[-a-zA-Z0-9_]+$/
const FIELD_NAME_MESSAGE =
  "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric character (e.g. My-name1-2, 123-NAME)"
const PARAM_NAME_MESSAGE =
  "Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1"
const TEMPLATE_TYPES = 'container, steps, script, resource, dag, suspend, template, template ref'
const POD_GC_STRATEGIES = ['OnPodCompletion', 'OnPodSuccess', 'OnWorkflowCompletion', 'OnWorkflowSuccess']

function fieldNameProblems(name: string, kind: 'field' | 'param'): string[] {
  const problems: string[] = []
  if (kind === 'field' && name.length > 128) problems.push('must be no more than 128 characters')
  if (kind === 'field' && !FIELD_NAME.test(name)) problems.push(FIELD_NAME_MESSAGE)
  if (kind === 'param' && !PARAM_NAME.test(name)) problems.push(PARAM_NAME_MESSAGE)
  return problems
}

/** `[i].name is required`, `[i].name: 'x' is invalid: …`, `[i].name 'x' is not unique`, or undefined. */
function namesProblem(items: { name?: string }[] | undefined, kind: 'field' | 'param'): string | undefined {
  const seen = new Set<string>()
  for (const [i, item] of (items ?? []).entries()) {
    const name = item.name ?? ''
    if (!name) return `[${i}].name is required`
    const problems = fieldNameProblems(name, kind)
    if (problems.length) return `[${i}].name: '${name}' is invalid: ${problems.join(';')}`
    if (seen.has(name)) return `[${i}].name '${name}' is not unique`
    seen.add(name)
  }
  return undefined
}

class Validator {
  private readonly validated = new Set<string>()

  constructor(private readonly resolver: TemplateResolver) {}

  holder(holder: TemplateHolder, scope: TemplateScope): void {
    if (holder.templateRef) {
      if (holder.template) throw new SpecError('template name cannot be specified with templateRef.')
      if (!holder.templateRef.name) throw new SpecError('resource name is required')
      if (!holder.templateRef.template) throw new SpecError('template name is required')
    }
    let resolved
    try {
      resolved = this.resolver.resolve(holder, scope)
    } catch (error) {
      if (error instanceof TemplateNotFoundError) throw new SpecError(error.message)
      throw error
    }
    const policy = resolved.template.retryStrategy?.retryPolicy
    if (policy && !['Always', 'OnFailure', 'OnError', 'OnTransientError'].includes(policy)) {
      throw new SpecError(`${policy} is not a valid RetryPolicy`)
    }
    const id = `${resolved.scope.kind}/${resolved.scope.name}/${resolved.template.name}`
    if (this.validated.has(id)) return
    this.validated.add(id)
    this.template(resolved.template, resolved.scope)
  }

  template(t: Template, scope: TemplateScope): void {
    const kinds = [
      'templateRef',
      'container',
      'steps',
      'script',
      'resource',
      'dag',
      'suspend',
      'template',
    ].filter((k) => t[k] !== undefined && t[k] !== null && t[k] !== '')
    if (kinds.length === 0)
      throw new SpecError(`templates.${t.name} template type unspecified. choose one of: ${TEMPLATE_TYPES}`)
    if (kinds.length > 1)
      throw new SpecError(
        `templates.${t.name} multiple template types specified. choose one of: ${TEMPLATE_TYPES}`,
      )
    const inputs = namesProblem(t.inputs?.parameters, 'param')
    if (inputs) throw new SpecError(`templates.${t.name}.inputs.parameters${inputs}`)
    if (t.container && !t.container.image)
      throw new SpecError(`templates.${t.name}.container.image may not be empty`)
    if (t.script && !t.script.image) throw new SpecError(`templates.${t.name}.script.image may not be empty`)
    if (t.steps) this.steps(t, scope)
    if (t.dag) this.dag(t, scope)
    this.outputs(t)
  }

  private outputs(t: Template): void {
    const problem = namesProblem(t.outputs?.parameters, 'param')
    if (problem) throw new SpecError(`templates.${t.name}.outputs.parameters ${problem}`)
    for (const p of t.outputs?.parameters ?? []) {
      const ref = `templates.${t.name}.outputs.parameters.${p.name}`
      if (p.value !== undefined && p.valueFrom)
        throw new SpecError(`${ref} has both valueFrom and value specified. Choose one.`)
      if (p.value === undefined && !p.valueFrom)
        throw new SpecError(`${ref} does not have valueFrom or value specified`)
      if (p.valueFrom && (t.container || t.script) && !p.valueFrom.path) {
        throw new SpecError(
          `${ref}.path must be specified for ${t.container ? 'Container' : 'Script'} templates`,
        )
      }
    }
  }

  private steps(t: Template, scope: TemplateScope): void {
    const names = new Set<string>()
    for (const [i, group] of t.steps!.entries()) {
      for (const step of group ?? []) {
        if (!step.name) throw new SpecError(`templates.${t.name}.steps[${i}].name is required`)
        if (names.has(step.name))
          throw new SpecError(`templates.${t.name}.steps[${i}].name '${step.name}' is not unique`)
        const problems = fieldNameProblems(step.name, 'field')
        if (problems.length) {
          throw new SpecError(
            `templates.${t.name}.steps[${i}].name '${step.name}' is invalid: ${problems.join(';')}`,
          )
        }
        names.add(step.name)
        this.arguments(`templates.${t.name}.steps[${i}].${step.name}.arguments.`, step.arguments?.parameters)
        this.wrap(`templates.${t.name}.steps[${i}].${step.name}`, () => this.holder(step, scope))
      }
    }
  }

  private dag(t: Template, scope: TemplateScope): void {
    const tasks = t.dag!.tasks ?? []
    if (tasks.length === 0) throw new SpecError(`templates.${t.name} must have at least one task`)
    const problem = namesProblem(tasks, 'field')
    if (problem) throw new SpecError(`templates.${t.name}.tasks${problem}`)
    const usingDepends = tasks.some((task) => task.depends)
    const byName = new Map(tasks.map((task) => [task.name, task]))
    for (const task of tasks) {
      if (/^[0-9]/.test(task.name)) {
        throw new SpecError(
          `templates.${t.name}.tasks.${task.name} name cannot begin with a digit when using either 'depends' or 'dependencies'`,
        )
      }
      if (usingDepends && task.dependencies?.length) {
        throw new SpecError(
          `templates.${t.name} cannot use both 'depends' and 'dependencies' in the same DAG template`,
        )
      }
      this.wrap(`templates.${t.name}.tasks.${task.name}`, () => this.holder(task, scope))
      for (const dep of taskDependencies(task)) {
        if (!byName.has(dep))
          throw new SpecError(`templates.${t.name}.tasks.${task.name} dependency '${dep}' not defined`)
      }
    }
    this.noCycles(t.name, byName)
    for (const task of tasks)
      this.arguments(`templates.${t.name}.tasks.${task.name}.arguments.`, task.arguments?.parameters)
  }

  private noCycles(templateName: string, byName: Map<string, DagTask>): void {
    const visited = new Set<string>()
    const visit = (name: string, path: string[]): void => {
      if (visited.has(name)) return
      for (const dep of taskDependencies(byName.get(name)!)) {
        if (path.includes(dep)) {
          throw new SpecError(
            `templates.${templateName}.tasks dependency cycle detected: ${path.join('->')}->${dep}`,
          )
        }
        visit(dep, [...path, dep])
      }
      visited.add(name)
    }
    for (const name of byName.keys()) visit(name, [])
  }

  arguments(prefix: string, parameters: { name: string; value?: unknown }[] | undefined): void {
    const problem = namesProblem(parameters, 'param')
    if (problem) throw new SpecError(`${prefix}parameters${problem}`)
    for (const p of parameters ?? []) {
      if (p.value === undefined || p.value === null)
        throw new SpecError(`${prefix}${p.name}.value is required`)
    }
  }

  private wrap(prefix: string, run: () => void): void {
    try {
      run()
    } catch (error) {
      if (error instanceof SpecError && !error.message.startsWith('templates.')) {
        throw new SpecError(`${prefix} ${error.message}`)
      }
      throw error
    }
  }
}

export function taskDependencies(task: DagTask): string[] {
  if (task.depends) return dependsTaskNames(task.depends)
  return task.dependencies ?? []
}

/**
 * Throws SpecError with Argo's reason when the execution spec is invalid. `ownTemplates` are the
 * templates written in the Workflow itself (forbidden alongside workflowTemplateRef).
 */
export function validateWorkflow(
  spec: WorkflowSpec,
  resolver: TemplateResolver,
  scope: TemplateScope,
  options: { workflowTemplateRef: boolean; ownTemplates: Template[] | undefined },
): void {
  if (options.workflowTemplateRef && (options.ownTemplates?.length ?? 0) > 0) {
    throw new SpecError('Templates is invalid field in spec if workflow referred WorkflowTemplate reference')
  }
  const templatesProblem = namesProblem(spec.templates, 'field')
  if (templatesProblem) throw new SpecError(`spec.templates${templatesProblem}`)
  const validator = new Validator(resolver)
  validator.arguments('spec.arguments.', spec.arguments?.parameters)
  if (!spec.entrypoint) throw new SpecError('spec.entrypoint is required')
  validator.holder({ template: spec.entrypoint }, scope)
  if (spec.onExit) validator.holder({ template: spec.onExit }, scope)
  const strategy = spec.podGC?.strategy
  if (strategy && !POD_GC_STRATEGIES.includes(strategy)) {
    throw new SpecError(`podGC.strategy unknown strategy '${strategy}'`)
  }
  for (const t of spec.templates ?? []) {
    try {
      validator.holder({ template: t.name }, scope)
    } catch (error) {
      if (error instanceof SpecError && !error.message.startsWith('templates.')) {
        throw new SpecError(`templates.${t.name} ${error.message}`)
      }
      throw error
    }
  }
}
