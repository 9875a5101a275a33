import { CoreV1Api, CustomObjectsApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node'
import type { Writable } from 'node:stream'
import type { Logger } from 'pino'
import { ConflictError, KubeAccessError, NotFoundError, toKubeAccessError } from './errors.js'
import { ARGO_GROUP, ARGO_VERSION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, WORKFLOW_PLURAL } from './labels.js'
import { openPodLogStream, type PodLogOptions, type PodLogStream } from './pod-logs.js'
import { requestOptions } from './request-options.js'
import type { Workflow } from './types.js'

export interface KubeAccessOptions {
  kubeConfig: KubeConfig
  namespace: string
  logger: Logger
  /** Bound on each API call (default 15 s). */
  requestTimeoutMs?: number
  /** How often a patch is retried after 409 Conflict with a fresh read (default 5). */
  conflictRetries?: number
  /** Page size of list calls (default 500). */
  pageSize?: number
}

/** A spec change sent as a JSON merge patch, e.g. `{ shutdown: 'Stop' }` or `{ suspend: true }`. */
export type SpecPatch = Record<string, unknown>

/** Decides the patch from the current object; null means nothing to do. */
export type SpecPatchDecision = (current: Workflow) => SpecPatch | null

export interface PingResult {
  ok: boolean
  latencyMs: number
  error?: string
}

export interface OwnerWorkflow {
  name: string
  uid: string
}

const WORKFLOW_API_VERSION = `${ARGO_GROUP}/${ARGO_VERSION}`

/** The service's only door to Kubernetes: Workflows, their Secrets and their pods' logs. */
export class ArgoClient {
  readonly namespace: string
  readonly kubeConfig: KubeConfig
  private readonly custom: CustomObjectsApi
  private readonly core: CoreV1Api
  private readonly logger: Logger
  private readonly timeoutMs: number
  private readonly conflictRetries: number
  private readonly pageSize: number

  constructor(options: KubeAccessOptions) {
    this.namespace = options.namespace
    this.kubeConfig = options.kubeConfig
    this.logger = options.logger
    this.timeoutMs = options.requestTimeoutMs ?? 15_000
    this.conflictRetries = options.conflictRetries ?? 5
    this.pageSize = options.pageSize ?? 500
    this.custom = options.kubeConfig.makeApiClient(CustomObjectsApi)
    this.core = options.kubeConfig.makeApiClient(CoreV1Api)
  }

  private workflowCoordinates() {
    return { group: ARGO_GROUP, version: ARGO_VERSION, namespace: this.namespace, plural: WORKFLOW_PLURAL }
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      const mapped = toKubeAccessError(error, what)
      this.logger.debug(
        { err: mapped, statusCode: mapped.statusCode, reason: mapped.reason },
        'kubernetes call failed',
      )
      throw mapped
    }
  }

  private withNamespace(manifest: Workflow): Workflow {
    return { ...manifest, metadata: { ...manifest.metadata, namespace: this.namespace } }
  }

  /** Creates the Workflow; AlreadyExistsError when the name is taken. */
  async createWorkflow(manifest: Workflow): Promise<Workflow> {
    const name = manifest.metadata.name ?? manifest.metadata.generateName
    return this.call(`create workflow ${name}`, () =>
      this.custom.createNamespacedCustomObject(
        { ...this.workflowCoordinates(), body: this.withNamespace(manifest) },
        requestOptions(this.timeoutMs),
      ),
    )
  }

  /** Asks the API server to admit the Workflow without storing it (server-side dry run). */
  async dryRunWorkflow(manifest: Workflow): Promise<Workflow> {
    const name = manifest.metadata.name ?? manifest.metadata.generateName
    return this.call(`dry-run workflow ${name}`, () =>
      this.custom.createNamespacedCustomObject(
        { ...this.workflowCoordinates(), body: this.withNamespace(manifest), dryRun: 'All' },
        requestOptions(this.timeoutMs),
      ),
    )
  }

  /** The Workflow as the API server has it now, or null when it does not exist. */
  async getWorkflow(name: string): Promise<Workflow | null> {
    try {
      return await this.call(`get workflow ${name}`, () =>
        this.custom.getNamespacedCustomObject(
          { ...this.workflowCoordinates(), name },
          requestOptions(this.timeoutMs),
        ),
      )
    } catch (error) {
      if (error instanceof NotFoundError) return null
      throw error
    }
  }

  /** Every Workflow matching the selector, read page by page. */
  async listWorkflows(labelSelector?: string): Promise<Workflow[]> {
    const { items } = await this.listWorkflowsWithVersion(labelSelector)
    return items
  }

  /** Like listWorkflows, with the list's resourceVersion (to watch from). */
  async listWorkflowsWithVersion(
    labelSelector?: string,
  ): Promise<{ items: Workflow[]; resourceVersion: string }> {
    const items: Workflow[] = []
    let continueToken: string | undefined
    let resourceVersion = ''
    let restarts = 0
    for (;;) {
      let page: Awaited<ReturnType<ArgoClient['listPage']>>
      try {
        page = await this.listPage(labelSelector, continueToken)
      } catch (error) {
        // An expired continue token (410) means the list must start over from a fresh snapshot.
        const expired = error instanceof KubeAccessError && error.statusCode === 410 && continueToken
        if (!expired || ++restarts > 3) throw error
        items.length = 0
        continueToken = undefined
        continue
      }
      items.push(...(page.items ?? []))
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion
      continueToken = page.metadata?.continue || undefined
      if (!continueToken) return { items, resourceVersion }
    }
  }

  private listPage(
    labelSelector: string | undefined,
    continueToken: string | undefined,
  ): Promise<{ items?: Workflow[]; metadata?: { continue?: string; resourceVersion?: string } }> {
    return this.call('list workflows', () =>
      this.custom.listNamespacedCustomObject(
        {
          ...this.workflowCoordinates(),
          labelSelector,
          limit: this.pageSize,
          _continue: continueToken,
        },
        requestOptions(this.timeoutMs),
      ),
    )
  }

  private mergePatch(name: string, body: Record<string, unknown>, what: string): Promise<Workflow> {
    return this.call(what, () =>
      this.custom.patchNamespacedCustomObject(
        { ...this.workflowCoordinates(), name, body },
        requestOptions(this.timeoutMs, PatchStrategy.MergePatch),
      ),
    )
  }

  /**
   * Merge-patches the Workflow's spec under optimistic concurrency: the patch carries a
   * resourceVersion, and on 409 Conflict the object is read again and the patch re-decided. A plain
   * patch is re-applied as is; a decision function sees the fresh object and may return null to stop.
   * Returns the patched Workflow, or the current one when the decision was to do nothing.
   */
  async patchWorkflowSpec(
    name: string,
    patch: SpecPatch | SpecPatchDecision,
    options: { resourceVersion?: string } = {},
  ): Promise<Workflow> {
    const decide: SpecPatchDecision = typeof patch === 'function' ? patch : () => patch
    let current: Workflow | null = null
    let resourceVersion = typeof patch === 'function' ? undefined : options.resourceVersion
    for (let attempt = 0; ; attempt++) {
      if (resourceVersion === undefined) {
        current = await this.getWorkflow(name)
        if (!current) throw new NotFoundError(`patch workflow ${name}: not found`, 404, 'NotFound')
        resourceVersion = current.metadata.resourceVersion
      }
      const change = current ? decide(current) : (patch as SpecPatch)
      if (change === null) return current as Workflow
      try {
        return await this.mergePatch(
          name,
          { metadata: { resourceVersion }, spec: change },
          `patch spec of workflow ${name}`,
        )
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= this.conflictRetries) throw error
        this.logger.debug({ workflow: name, attempt }, 'workflow changed under a patch; reading it again')
        resourceVersion = undefined
      }
    }
  }

  /**
   * Merge-patches the Workflow's metadata (annotations, finalizers) under optimistic concurrency:
   * `decide` sees the current object and returns the metadata change, or null for nothing to do.
   * Returns the patched (or current) Workflow; NotFoundError when it does not exist.
   */
  async patchWorkflowMetadata(
    name: string,
    decide: (current: Workflow) => Record<string, unknown> | null,
  ): Promise<Workflow> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.getWorkflow(name)
      if (!current) throw new NotFoundError(`patch workflow ${name}: not found`, 404, 'NotFound')
      const change = decide(current)
      if (change === null) return current
      const body = { metadata: { ...change, resourceVersion: current.metadata.resourceVersion } }
      try {
        return await this.mergePatch(name, body, `patch metadata of workflow ${name}`)
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= this.conflictRetries) throw error
      }
    }
  }

  private async changeFinalizers(
    name: string,
    change: (finalizers: string[]) => string[] | null,
    what: string,
  ): Promise<Workflow | null> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.getWorkflow(name)
      if (!current) return null
      const finalizers = change(current.metadata.finalizers ?? [])
      if (finalizers === null) return current
      // Merge patch replaces the list whole; the resourceVersion makes a concurrent change a 409.
      const body = { metadata: { resourceVersion: current.metadata.resourceVersion, finalizers } }
      try {
        return await this.mergePatch(name, body, what)
      } catch (error) {
        if (error instanceof NotFoundError) return null
        if (!(error instanceof ConflictError) || attempt >= this.conflictRetries) throw error
      }
    }
  }

  /** Removes a finalizer; null when the Workflow is gone (possibly deleted by this very removal). */
  removeFinalizer(name: string, finalizer: string): Promise<Workflow | null> {
    return this.changeFinalizers(
      name,
      (finalizers) =>
        finalizers.includes(finalizer) ? finalizers.filter((item) => item !== finalizer) : null,
      `remove finalizer ${finalizer} from workflow ${name}`,
    )
  }

  /** Adds a finalizer unless present; null when the Workflow does not exist. */
  addFinalizer(name: string, finalizer: string): Promise<Workflow | null> {
    return this.changeFinalizers(
      name,
      (finalizers) => (finalizers.includes(finalizer) ? null : [...finalizers, finalizer]),
      `add finalizer ${finalizer} to workflow ${name}`,
    )
  }

  /** Creates a Secret owned by the Workflow, so Kubernetes deletes it with the Workflow. */
  async createOwnedSecret(
    name: string,
    data: Record<string, string>,
    owner: OwnerWorkflow,
    labels: Record<string, string> = {},
  ): Promise<void> {
    const encoded = Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]),
    )
    await this.call(`create secret ${name}`, () =>
      this.core.createNamespacedSecret(
        {
          namespace: this.namespace,
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: {
              name,
              namespace: this.namespace,
              labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
              ownerReferences: [
                {
                  apiVersion: WORKFLOW_API_VERSION,
                  kind: 'Workflow',
                  name: owner.name,
                  uid: owner.uid,
                  blockOwnerDeletion: true,
                },
              ],
            },
            data: encoded,
          },
        },
        requestOptions(this.timeoutMs),
      ),
    )
  }

  /** Deletes a Secret; a Secret already gone is fine. */
  async deleteSecret(name: string): Promise<void> {
    try {
      await this.call(`delete secret ${name}`, () =>
        this.core.deleteNamespacedSecret({ namespace: this.namespace, name }, requestOptions(this.timeoutMs)),
      )
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error
    }
  }

  /**
   * Streams a pod container's log (default container `main`) into `destination`. Throws
   * LogsWaitingError while the container has not started and LogsGoneError once the pod is gone.
   */
  streamPodLogs(podName: string, options: PodLogOptions, destination: Writable): Promise<PodLogStream> {
    return openPodLogStream(this.kubeConfig, this.namespace, podName, options, destination, this.timeoutMs)
  }

  /** Health: can we list Workflows in our namespace, and how long did it take. */
  async ping(): Promise<PingResult> {
    const started = performance.now()
    try {
      await this.call('ping', () =>
        this.custom.listNamespacedCustomObject(
          { ...this.workflowCoordinates(), limit: 1 },
          requestOptions(this.timeoutMs),
        ),
      )
      return { ok: true, latencyMs: Math.round(performance.now() - started) }
    } catch (error) {
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        error: (error as Error).message,
      }
    }
  }
}

export function createKubeAccess(options: KubeAccessOptions): ArgoClient {
  return new ArgoClient(options)
}
