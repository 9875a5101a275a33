// Steps and DAG templates: which children to start, how they hang together, and when the parent is done.
import { evaluateDepends, evaluateWhen, substitute, substituteDeep, type TaskResult } from './expressions.js'
import {
  isFailedOrError,
  isFulfilled,
  type DagTask,
  type NodeStatus,
  type Template,
  type WorkflowStep,
} from './model.js'
import type { ExecuteOptions, WorkflowOperation } from './operator.js'
import type { ResolvedTemplate } from './resolve.js'
import { taskDependencies } from './validate.js'

/** Adds `<prefix>.outputs.parameters.x`, `.outputs.result`, `.exitCode`, `.status`, `.id` of a finished node. */
function addNodeOutputs(scope: Record<string, string>, prefix: string, node: NodeStatus): void {
  scope[`${prefix}.status`] = node.phase
  scope[`${prefix}.id`] = node.id
  const outputs = node.outputs
  if (!outputs) return
  for (const p of outputs.parameters ?? []) scope[`${prefix}.outputs.parameters.${p.name}`] = p.value ?? ''
  if (outputs.result !== undefined) scope[`${prefix}.outputs.result`] = outputs.result
  if (outputs.exitCode !== undefined) scope[`${prefix}.exitCode`] = outputs.exitCode
}

function itemText(item: unknown): string {
  return typeof item === 'string' ? item : JSON.stringify(item)
}

/** withItems expands one step into `name(i:item)` steps with `{{item}}` bound. */
function expand(step: WorkflowStep): { name: string; item?: Record<string, string> }[] {
  if (!Array.isArray(step.withItems)) return [{ name: step.name }]
  return step.withItems.map((item, i) => {
    const values: Record<string, string> = { item: itemText(item) }
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      for (const [k, v] of Object.entries(item)) values[`item.${k}`] = itemText(v)
    }
    return { name: `${step.name}(${i}:${itemText(item)})`, item: values }
  })
}

function templateOutputs(
  template: Template,
  scope: Record<string, string>,
): NodeStatus['outputs'] | undefined {
  const parameters = (template.outputs?.parameters ?? [])
    .filter((p) => p.valueFrom?.parameter)
    .map((p) => ({ name: p.name, value: substitute(p.valueFrom!.parameter!, scope) }))
  return parameters.length ? { parameters } : undefined
}

/** Runs one step or task as a child node, or records it as skipped when its `when` is false. */
function runChild(
  op: WorkflowOperation,
  childName: string,
  step: WorkflowStep,
  resolved: ResolvedTemplate,
  scope: Record<string, string>,
  opts: ExecuteOptions,
): NodeStatus | undefined {
  const existing = op.byName(childName)
  if (!existing && step.when) {
    const condition = substitute(step.when, scope)
    let run = true
    try {
      run = evaluateWhen(condition)
    } catch (error) {
      return op.initNode(childName, 'Skipped', 'Error', opts, undefined, (error as Error).message)
    }
    if (!run)
      return op.initNode(
        childName,
        'Skipped',
        'Skipped',
        opts,
        undefined,
        `when '${condition}' evaluated false`,
      )
  }
  const holder = step.templateRef ? { templateRef: step.templateRef } : { template: step.template }
  const args = substituteDeep(step.arguments, scope)
  return op.executeTemplate(childName, holder, resolved.scope, args, opts)
}

function continuesOn(step: WorkflowStep, node: NodeStatus): boolean {
  return (
    (node.phase === 'Failed' && step.continueOn?.failed === true) ||
    (node.phase === 'Error' && step.continueOn?.error === true)
  )
}

export function executeSteps(
  op: WorkflowOperation,
  nodeName: string,
  resolved: ResolvedTemplate,
  template: Template,
  scopeValues: Record<string, string>,
  opts: ExecuteOptions,
): NodeStatus {
  const node = op.byName(nodeName) ?? op.initNode(nodeName, 'Steps', 'Running', opts, resolved)
  const scope = { ...scopeValues }
  for (const [i, group] of (template.steps ?? []).entries()) {
    const groupName = `${nodeName}[${i}]`
    let groupNode = op.byName(groupName)
    if (!groupNode) {
      groupNode = op.initNode(groupName, 'StepGroup', 'Running', {
        boundaryID: node.id,
        displayName: `[${i}]`,
      })
      if (i === 0) op.addChild(node, groupNode.id)
      const previous = op.byName(`${nodeName}[${i - 1}]`)
      for (const outbound of previous ? op.outboundNodes(previous) : [])
        op.addChild(op.nodes[outbound]!, groupNode.id)
    }
    runStepGroup(op, groupNode, group ?? [], resolved, scope, { boundaryID: node.id, onExit: opts.onExit })
    if (!isFulfilled(groupNode.phase)) return node
    if (isFailedOrError(groupNode.phase)) {
      node.outboundNodes = op.outboundNodes(groupNode)
      return op.markPhase(node, 'Failed', groupNode.message)
    }
    for (const step of group ?? []) {
      const expanded = expand(step)
      if (expanded.length === 1 && !step.withItems) {
        const child = op.byName(`${groupName}.${step.name}`)
        if (child) addNodeOutputs(scope, `steps.${step.name}`, child)
      } else {
        const values = expanded.map((e) => op.byName(`${groupName}.${e.name}`)?.outputs?.parameters ?? [])
        scope[`steps.${step.name}.outputs.parameters`] = JSON.stringify(
          values.map((ps) => Object.fromEntries(ps.map((p) => [p.name, p.value]))),
        )
      }
    }
  }
  const last = op.byName(`${nodeName}[${(template.steps?.length ?? 1) - 1}]`)
  node.outboundNodes = last ? op.outboundNodes(last) : []
  const outputs = templateOutputs(template, scope)
  if (outputs) node.outputs = outputs
  return op.markPhase(node, 'Succeeded')
}

function runStepGroup(
  op: WorkflowOperation,
  groupNode: NodeStatus,
  steps: WorkflowStep[],
  resolved: ResolvedTemplate,
  scope: Record<string, string>,
  opts: ExecuteOptions,
): void {
  let waiting = false
  const children: { step: WorkflowStep; node: NodeStatus }[] = []
  for (const step of steps) {
    for (const expanded of expand(step)) {
      const childScope = expanded.item ? { ...scope, ...expanded.item } : scope
      const childOpts = { ...opts, displayName: expanded.name }
      const child = runChild(op, `${groupNode.name}.${expanded.name}`, step, resolved, childScope, childOpts)
      if (!child) {
        waiting = true
        continue
      }
      op.addChild(groupNode, child.id)
      children.push({ step, node: child })
      if (!isFulfilled(child.phase)) waiting = true
    }
  }
  if (waiting) return
  const failed = children.find(({ step, node }) => isFailedOrError(node.phase) && !continuesOn(step, node))
  if (failed) op.markPhase(groupNode, 'Failed', `child '${failed.node.id}' failed`)
  else op.markPhase(groupNode, 'Succeeded')
}

function taskResult(node: NodeStatus): TaskResult {
  if (node.phase === 'Error') return 'Errored'
  return node.phase as TaskResult
}

export function executeDag(
  op: WorkflowOperation,
  nodeName: string,
  resolved: ResolvedTemplate,
  template: Template,
  scopeValues: Record<string, string>,
  opts: ExecuteOptions,
): NodeStatus {
  const node = op.byName(nodeName) ?? op.initNode(nodeName, 'DAG', 'Running', opts, resolved)
  const tasks = template.dag?.tasks ?? []
  const failFast = template.dag?.failFast !== false
  const taskNode = (task: DagTask): NodeStatus | undefined => op.byName(`${nodeName}.${task.name}`)
  const byName = new Map(tasks.map((t) => [t.name, t]))
  const handledFailures = new Set<string>()
  for (const task of tasks) {
    for (const match of (task.depends ?? '').matchAll(/([A-Za-z0-9-]+)\.(Failed|Errored|AllFailed)/g)) {
      handledFailures.add(match[1]!)
    }
  }
  const unhandledFailure = (): NodeStatus | undefined =>
    tasks
      .map((t) => ({ t, n: taskNode(t) }))
      .find(({ t, n }) => n && isFailedOrError(n.phase) && !continuesOn(t, n) && !handledFailures.has(t.name))
      ?.n

  let progressed = true
  while (progressed) {
    progressed = false
    for (const task of tasks) {
      const existing = taskNode(task)
      if (existing && isFulfilled(existing.phase)) continue
      const deps = taskDependencies(task).map((d) => taskNode(byName.get(d)!))
      if (!existing) {
        if (deps.some((d) => !d || !isFulfilled(d.phase))) continue
        if (failFast && unhandledFailure()) continue
        if (
          !task.depends &&
          deps.some(
            (d, i) => isFailedOrError(d!.phase) && !continuesOn(byName.get(taskDependencies(task)[i]!)!, d!),
          )
        ) {
          continue
        }
      }
      const childName = `${nodeName}.${task.name}`
      const childOpts = { boundaryID: node.id, displayName: task.name, onExit: opts.onExit }
      let child: NodeStatus | undefined
      if (
        !existing &&
        task.depends &&
        !evaluateDepends(task.depends, (name) => {
          const n = taskNode(byName.get(name)!)
          return n ? taskResult(n) : undefined
        })
      ) {
        child = op.initNode(
          childName,
          'Skipped',
          'Omitted',
          childOpts,
          undefined,
          'omitted: depends condition not met',
        )
      } else {
        const scope = { ...scopeValues }
        for (const t of tasks) {
          const n = taskNode(t)
          if (n && isFulfilled(n.phase)) addNodeOutputs(scope, `tasks.${t.name}`, n)
        }
        child = runChild(op, childName, task, resolved, scope, childOpts)
      }
      if (!child) continue
      if (!existing) {
        progressed = true
        if (deps.length === 0) op.addChild(node, child.id)
        for (const dep of deps)
          for (const outbound of op.outboundNodes(dep!)) op.addChild(op.nodes[outbound]!, child.id)
      }
    }
  }

  const started = tasks.map(taskNode)
  if (started.some((n) => n && !isFulfilled(n.phase))) return node
  const failure = unhandledFailure()
  const runnable = tasks.some((task, i) => {
    if (started[i]) return false
    if (failFast && failure) return false
    const deps = taskDependencies(task).map((d) => taskNode(byName.get(d)!))
    if (deps.some((d) => !d)) return false
    return !deps.some(
      (d, j) => isFailedOrError(d!.phase) && !continuesOn(byName.get(taskDependencies(task)[j]!)!, d!),
    )
  })
  if (runnable) return node
  const dependedOn = new Set(tasks.flatMap((t) => taskDependencies(t)))
  node.outboundNodes = tasks
    .filter((t) => !dependedOn.has(t.name))
    .flatMap((t) => {
      const n = taskNode(t)
      return n ? op.outboundNodes(n) : []
    })
  if (failure) return op.markPhase(node, 'Failed', `child '${failure.id}' failed`)
  const scope = { ...scopeValues }
  for (const t of tasks) {
    const n = taskNode(t)
    if (n) addNodeOutputs(scope, `tasks.${t.name}`, n)
  }
  const outputs = templateOutputs(template, scope)
  if (outputs) node.outputs = outputs
  return op.markPhase(node, 'Succeeded')
}
