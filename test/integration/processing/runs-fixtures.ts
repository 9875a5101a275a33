// Runs for the read-side tests, made the way the start use case makes them: a database row, then
// the Workflow the manifest builder produces, created through the service's own ArgoClient. A
// behaviour annotation scripts what the sandbox's simulated steps do.
import { OUTCOME_FINALIZER } from '../../../src/argo/labels.js'
import { buildWorkflowManifest } from '../../../src/catalog/manifest.js'
import { insertOutcome, insertRun, type InputJsonObject, type RunRow } from '../../../src/db/index.js'
import { BEHAVIOR_ANNOTATION, type StepBehavior } from '../../../src/sandbox/argo/behavior.js'
import type { TestStack } from '../../helpers/stack.js'

export const NAMESPACE = 'default'

const TYPES = {
  'gaussian-log': [{ name: 'summarize', templateRef: { name: 'compchem-gaussian', template: 'summarize' } }],
  'gromacs-tpr': [
    { name: 'dump', templateRef: { name: 'compchem-gromacs', template: 'dump' } },
    { name: 'short-run', templateRef: { name: 'compchem-gromacs', template: 'mdrun' } },
  ],
} as const

export type RunType = keyof typeof TYPES

export interface RunSpec {
  recordId: string
  seq: number
  type?: RunType
  files?: string[]
  /** Behaviour per template name (e.g. `summarize`); the Workflow is created only when given. */
  behavior?: Record<string, StepBehavior>
  parameters?: InputJsonObject
}

export const runName = (type: string, recordId: string, seq: number) => `${type}-${recordId}-${seq}`

export async function insertRunRow(stack: TestStack, spec: RunSpec): Promise<RunRow> {
  const type = spec.type ?? 'gaussian-log'
  return insertRun(stack.service.context.db.prisma, {
    recordId: spec.recordId,
    workflowType: type,
    seq: spec.seq,
    name: runName(type, spec.recordId, spec.seq),
    createdBy: 'alice',
    parameters: spec.parameters ?? {},
    files: (spec.files ?? ['water-dimer.log']).map((key) => ({
      key,
      mimetype: 'application/octet-stream',
      checksum: `md5:${key.length}`,
    })),
  })
}

export async function submitWorkflow(stack: TestStack, row: RunRow, behavior: Record<string, StepBehavior>) {
  const manifest = buildWorkflowManifest({
    name: row.name,
    namespace: NAMESPACE,
    recordId: row.recordId,
    type: { name: row.workflowType, steps: [...TYPES[row.workflowType as RunType]] },
    seq: row.seq,
    files: row.files.map((file) => ({
      key: file.fileKey,
      mimetype: file.mimetype,
      checksum: file.checksum,
      size: null,
    })),
    parameters: {},
    serviceUrl: 'http://service.invalid',
    runTokenSecretName: `${row.name}-token`,
    transfer: { mode: 'volume', size: '1Gi' },
    suspend: false,
  })
  manifest.metadata.annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(behavior)
  return stack.service.context.argo.createWorkflow(manifest as never)
}

export async function createRun(stack: TestStack, spec: RunSpec): Promise<RunRow> {
  const row = await insertRunRow(stack, spec)
  if (spec.behavior) await submitWorkflow(stack, row, spec.behavior)
  return row
}

export async function storeOutcome(
  stack: TestStack,
  row: RunRow,
  outcome: { phase: string; message?: string; results?: InputJsonObject },
) {
  return insertOutcome(stack.service.context.db.prisma, {
    workflowId: row.id,
    attempt: 1,
    phase: outcome.phase,
    startedAt: new Date('2025-03-01T10:00:00Z'),
    finishedAt: new Date('2025-03-01T10:01:00Z'),
    message: outcome.message ?? null,
    results: outcome.results ?? {},
  })
}

/** Deletes the Workflow as Argo's GC would, and lets it go as the outcome writer would. */
export async function forgetWorkflow(stack: TestStack, name: string): Promise<void> {
  stack.cluster.store.delete('workflows', NAMESPACE, name)
  await stack.service.context.argo.removeFinalizer(name, OUTCOME_FINALIZER)
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
