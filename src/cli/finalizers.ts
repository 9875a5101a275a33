// `fileprocessor finalizers release [--record <id>] [--dry-run]`: frees Workflows of a service that is
// gone for good. The service holds the finalizer `compchem.cz/outcome` on every Workflow it creates
// until the run's outcome row is written; without the service nobody removes it, and Kubernetes keeps
// deleted Workflows forever. This removes that finalizer only (others stay), with a JSON patch that
// tests the resourceVersion and the finalizer's index, so a concurrent change is re-read, never lost.
// Uses the service's cluster settings: KUBECONFIG (or in-cluster), KUBE_CONTEXT, KUBE_NAMESPACE.
import { CustomObjectsApi, KubeConfig, PatchStrategy } from '@kubernetes/client-node'
import type { Command } from 'commander'
import { ConflictError, NotFoundError, RefusedError, toKubeAccessError } from '../argo/errors.js'
import {
  ARGO_GROUP,
  ARGO_VERSION,
  OUTCOME_FINALIZER,
  RECORD_ID_ANNOTATION,
  RECORD_ID_LABEL,
  WORKFLOW_PLURAL,
  recordIdLabelValue,
} from '../argo/labels.js'
import { requestOptions } from '../argo/request-options.js'
import type { Workflow } from '../argo/types.js'

const DEFAULT_NAMESPACE = 'default'
const REQUEST_TIMEOUT_MS = 15_000
const PAGE_SIZE = 500
/** Tries per Workflow when it changes between our read and our patch. */
const ATTEMPTS = 5

export type JsonPatchOperation = { op: 'test'; path: string; value: unknown } | { op: 'remove'; path: string }

/** What the command needs from the cluster; `kubeFinalizerApi` is the real one. */
export interface FinalizerApi {
  readonly namespace: string
  list(): Promise<Workflow[]>
  /** Null when the Workflow does not exist. */
  get(name: string): Promise<Workflow | null>
  patch(name: string, operations: JsonPatchOperation[]): Promise<Workflow>
}

export interface ReleaseOptions {
  /** Only Workflows of this record. */
  record?: string
  /** Report what would be released and change nothing. */
  dryRun?: boolean
  finalizer?: string
}

export type ReleaseResult = 'released' | 'would-release' | 'already-released' | 'gone' | 'failed'

export interface ReleasedWorkflow {
  name: string
  recordId?: string
  phase?: string
  /** Kubernetes was asked to delete it: releasing lets the deletion finish. */
  deleting: boolean
  result: ReleaseResult
  error?: string
}

export interface FinalizerCommandContext {
  env: NodeJS.ProcessEnv
  out(line: string): void
  err(line: string): void
  /** Cluster access; default: the service's (KUBECONFIG or in-cluster, KUBE_CONTEXT). */
  kubeConfig?: KubeConfig
  /** Replaces the cluster API (tests wrap the real one to race it). */
  api?: FinalizerApi
}

export function register(program: Command): void {
  registerFinalizerCommands(program, {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  })
}

export function registerFinalizerCommands(program: Command, context: FinalizerCommandContext): void {
  const finalizers = program
    .command('finalizers')
    .description(`the ${OUTCOME_FINALIZER} finalizer the service holds on its Workflows`)
  finalizers
    .command('release')
    .description(
      `remove ${OUTCOME_FINALIZER} from the Workflows in KUBE_NAMESPACE, for a service that is gone for good: ` +
        'their outcomes will not be recorded, and deleted Workflows can then go',
    )
    .option('--record <id>', 'only the Workflows of this record')
    .option('--dry-run', 'list what would be released and change nothing')
    .action(async (options: { record?: string; dryRun?: boolean }) => {
      process.exitCode = await releaseCommand(options, context)
    })
}

/** Returns the exit code: 0 when every matching Workflow was released (or would be), 1 otherwise. */
export async function releaseCommand(
  options: ReleaseOptions,
  context: FinalizerCommandContext,
): Promise<number> {
  if (options.record !== undefined && !options.record.trim()) {
    context.err('finalizers release: --record must not be empty')
    return 2
  }
  let api: FinalizerApi
  try {
    api =
      context.api ??
      kubeFinalizerApi(context.kubeConfig ?? defaultKubeConfig(context.env), namespaceOf(context.env))
  } catch (error) {
    context.err(`finalizers release: cannot reach the cluster: ${messageOf(error)}`)
    return 1
  }
  try {
    const results = await releaseFinalizers(api, options)
    for (const item of results) context.out(describe(item))
    context.out(summarize(results, api.namespace, options))
    return results.some((item) => item.result === 'failed') ? 1 : 0
  } catch (error) {
    context.err(`finalizers release: ${messageOf(error)}`)
    return 1
  }
}

/** Finds the Workflows holding the finalizer (of one record, when asked) and releases each. */
export async function releaseFinalizers(
  api: FinalizerApi,
  options: ReleaseOptions = {},
): Promise<ReleasedWorkflow[]> {
  const finalizer = options.finalizer ?? OUTCOME_FINALIZER
  const holding = (await api.list())
    .filter((workflow) => (workflow.metadata.finalizers ?? []).includes(finalizer))
    .filter((workflow) => options.record === undefined || belongsTo(workflow, options.record))
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
  const results: ReleasedWorkflow[] = []
  for (const workflow of holding) {
    const base = describeWorkflow(workflow)
    if (options.dryRun) {
      results.push({ ...base, result: 'would-release' })
      continue
    }
    try {
      results.push({ ...base, result: await releaseOne(api, workflow, finalizer) })
    } catch (error) {
      results.push({ ...base, result: 'failed', error: messageOf(error) })
    }
  }
  return results
}

/**
 * Removes the finalizer from one Workflow. The patch tests the resourceVersion read and the
 * finalizer's position, so it applies to exactly the object read; when the Workflow changed in
 * between (409 or a failed test, 422) it is read again and the patch rebuilt.
 */
async function releaseOne(api: FinalizerApi, first: Workflow, finalizer: string): Promise<ReleaseResult> {
  const name = first.metadata.name ?? ''
  let current: Workflow | null = first
  for (let attempt = 1; ; attempt++) {
    if (!current) return 'gone'
    const index = (current.metadata.finalizers ?? []).indexOf(finalizer)
    if (index < 0) return 'already-released'
    try {
      await api.patch(name, removalPatch(current, index, finalizer))
      return 'released'
    } catch (error) {
      if (error instanceof NotFoundError) return 'gone'
      const raced =
        error instanceof ConflictError || (error instanceof RefusedError && error.statusCode === 422)
      if (!raced || attempt >= ATTEMPTS) throw error
    }
    current = await api.get(name)
  }
}

export function removalPatch(workflow: Workflow, index: number, finalizer: string): JsonPatchOperation[] {
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: workflow.metadata.resourceVersion },
    { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
    { op: 'remove', path: `/metadata/finalizers/${index}` },
  ]
}

function belongsTo(workflow: Workflow, recordId: string): boolean {
  const annotated = workflow.metadata.annotations?.[RECORD_ID_ANNOTATION]
  if (annotated !== undefined) return annotated === recordId
  return workflow.metadata.labels?.[RECORD_ID_LABEL] === recordIdLabelValue(recordId)
}

function describeWorkflow(workflow: Workflow): Omit<ReleasedWorkflow, 'result'> {
  const status = (workflow as { status?: { phase?: string } }).status
  return {
    name: workflow.metadata.name ?? '',
    recordId:
      workflow.metadata.annotations?.[RECORD_ID_ANNOTATION] ?? workflow.metadata.labels?.[RECORD_ID_LABEL],
    phase: status?.phase || undefined,
    deleting: Boolean(workflow.metadata.deletionTimestamp),
  }
}

const VERBS: Record<ReleaseResult, string> = {
  released: 'released',
  'would-release': 'would release',
  'already-released': 'already released',
  gone: 'gone',
  failed: 'failed',
}

function describe(item: ReleasedWorkflow): string {
  const facts = [
    item.recordId ? `record ${item.recordId}` : undefined,
    `phase ${item.phase ?? 'unknown'}`,
    item.deleting ? 'being deleted' : undefined,
  ].filter(Boolean)
  const error = item.error ? `: ${item.error}` : ''
  return `${VERBS[item.result]} ${item.name} (${facts.join(', ')})${error}`
}

function summarize(results: ReleasedWorkflow[], namespace: string, options: ReleaseOptions): string {
  const scope = `namespace ${namespace}${options.record ? `, record ${options.record}` : ''}`
  if (!results.length) return `no Workflow holds ${OUTCOME_FINALIZER} (${scope})`
  const count = (result: ReleaseResult) => results.filter((item) => item.result === result).length
  if (options.dryRun) return `dry run: ${count('would-release')} Workflows would be released (${scope})`
  return (
    `${count('released')} released, ${count('already-released') + count('gone')} needed nothing, ` +
    `${count('failed')} failed (${scope})`
  )
}

/** The service's own cluster settings (src/config: KUBE_NAMESPACE, KUBE_CONTEXT). */
function namespaceOf(env: NodeJS.ProcessEnv): string {
  return env.KUBE_NAMESPACE?.trim() || DEFAULT_NAMESPACE
}

function defaultKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromDefault()
  const context = env.KUBE_CONTEXT?.trim()
  if (context) kubeConfig.setCurrentContext(context)
  return kubeConfig
}

/** The Workflows API of one namespace through client-node, errors mapped as the service maps them. */
export function kubeFinalizerApi(kubeConfig: KubeConfig, namespace: string): FinalizerApi {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi)
  const coordinates = { group: ARGO_GROUP, version: ARGO_VERSION, namespace, plural: WORKFLOW_PLURAL }
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      throw toKubeAccessError(error, what)
    }
  }
  return {
    namespace,
    list: async () => {
      const items: Workflow[] = []
      let continueToken: string | undefined
      do {
        const page = (await call('list workflows', () =>
          custom.listNamespacedCustomObject(
            { ...coordinates, limit: PAGE_SIZE, _continue: continueToken },
            requestOptions(REQUEST_TIMEOUT_MS),
          ),
        )) as { items?: Workflow[]; metadata?: { continue?: string } }
        items.push(...(page.items ?? []))
        continueToken = page.metadata?.continue || undefined
      } while (continueToken)
      return items
    },
    get: async (name) => {
      try {
        return (await call(`get workflow ${name}`, () =>
          custom.getNamespacedCustomObject({ ...coordinates, name }, requestOptions(REQUEST_TIMEOUT_MS)),
        )) as Workflow
      } catch (error) {
        if (error instanceof NotFoundError) return null
        throw error
      }
    },
    patch: async (name, operations) =>
      (await call(`remove finalizer from workflow ${name}`, () =>
        custom.patchNamespacedCustomObject(
          { ...coordinates, name, body: operations },
          requestOptions(REQUEST_TIMEOUT_MS, PatchStrategy.JsonPatch),
        ),
      )) as Workflow,
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
