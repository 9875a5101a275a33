// Runs for the action tests, made as the start use case makes them (a row, then the manifest the
// service builds), with a sandbox behaviour annotation scripting what each step does.
import request from 'supertest'
import { isTerminal, nodesOf, phaseOf, type NodeStatus, type Workflow } from '../../../src/argo/index.js'
import { findType } from '../../../src/config/index.js'
import { findRunByName, insertRun, type OutcomeRow, type RunRow } from '../../../src/db/index.js'
import { manifestFor } from '../../../src/processing/submit.js'
import { BEHAVIOR_ANNOTATION, type StepBehavior } from '../../../src/sandbox/argo/behavior.js'
import { sampleGaussianLog } from '../../../src/sandbox/invenio/index.js'
import type { TestStack } from '../../helpers/stack.js'

export const NAMESPACE = 'default'
export const FILE = 'w.log'

/** A fresh record of alice's with one Gaussian log, so tests never share files. */
export function newRecord(stack: TestStack): string {
  return stack.invenio.addRecord({ owner: 'alice', files: [{ key: FILE, content: sampleGaussianLog() }] }).id
}

export async function startScriptedRun(
  stack: TestStack,
  recordId: string,
  behavior: Record<string, StepBehavior>,
  seq = 1,
): Promise<RunRow> {
  const ctx = stack.service.context
  const type = findType(ctx.catalog.current(), 'gaussian-log')!
  const row = await insertRun(ctx.db.prisma, {
    recordId,
    workflowType: type.name,
    seq,
    name: `${type.name}-${recordId}-${seq}`,
    createdBy: 'alice',
    parameters: {},
    files: [{ key: FILE, mimetype: 'application/octet-stream', checksum: 'md5:test' }],
  })
  const manifest = manifestFor(ctx, row, type) as unknown as Workflow
  manifest.metadata.annotations = {
    ...manifest.metadata.annotations,
    [BEHAVIOR_ANNOTATION]: JSON.stringify(behavior),
  }
  // The service creates runs suspended until their token Secret exists; these need no token.
  delete manifest.spec?.suspend
  await ctx.argo.createWorkflow(manifest)
  return row
}

/** Changes what the sandbox's steps do from now on (e.g. before a retry). */
export function rescript(stack: TestStack, name: string, behavior: Record<string, StepBehavior>): void {
  const workflow = stack.cluster.store.get('workflows', NAMESPACE, name) as unknown as Workflow
  workflow.metadata.annotations = {
    ...workflow.metadata.annotations,
    [BEHAVIOR_ANNOTATION]: JSON.stringify(behavior),
  }
  stack.cluster.store.update('workflows', NAMESPACE, workflow as never)
}

export function act(stack: TestStack, name: string, action: string, token?: string, body?: object) {
  const test = request(stack.service.app).post(`/api/v1/workflows/${encodeURIComponent(name)}/${action}`)
  if (token) test.set('Authorization', `Bearer ${token}`)
  return body ? test.send(body) : test
}

export function cached(stack: TestStack, name: string): Workflow | undefined {
  return stack.service.context.informer.get(name)
}

export function nodeByDisplayName(workflow: Workflow, displayName: string): NodeStatus | undefined {
  return Object.values(nodesOf(workflow)).find((node) => node.displayName === displayName)
}

export async function until<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export function untilEnded(stack: TestStack, name: string): Promise<Workflow> {
  return until(`${name} to end`, () => {
    const workflow = cached(stack, name)
    return workflow && isTerminal(phaseOf(workflow)) ? workflow : undefined
  })
}

export function untilStepRunning(stack: TestStack, name: string, step: string): Promise<Workflow> {
  return until(`${name} step ${step} running`, () => {
    const workflow = cached(stack, name)
    return workflow && nodeByDisplayName(workflow, step)?.phase === 'Running' ? workflow : undefined
  })
}

/** Waits for the run's outcome rows (the recorder writes one per ended attempt). */
export async function untilOutcomes(stack: TestStack, name: string, count: number): Promise<OutcomeRow[]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    // A poll: a failed read (see the report on pglite-socket mixing connections) is just tried again.
    const row = await findRunByName(stack.service.context.db.prisma, name).catch(() => null)
    if (row && row.outcomes.length >= count) return row.outcomes
    if (Date.now() > deadline) throw new Error(`no ${count} outcomes for ${name}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
