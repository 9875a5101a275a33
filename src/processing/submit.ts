// Turning a stored run into a Workflow in the cluster. The one place that knows how a run is
// submitted: create it suspended → mint the run token and create its Secret owned by the Workflow
// (the owner reference needs the Workflow's uid) → resume. No token ever enters the Workflow itself.
import {
  AlreadyExistsError,
  FILES_ANNOTATION,
  UnavailableError,
  WORKFLOW_TYPE_LABEL,
  type Workflow,
} from '../argo/index.js'
import { buildWorkflowManifest, type FileTransfer, type WorkflowManifest } from '../catalog/manifest.js'
import type { WorkflowType } from '../config/index.js'
import type { RunRow } from '../db/index.js'
import type { ProcessingContext } from './context.js'
import { issueRunTokenSecret, runTokenSecretName } from './run-tokens.js'

export { runTokenSecretName }

export function fileTransferOf(settings: ProcessingContext['settings']): FileTransfer {
  if (settings.fileTransfer === 'artifacts')
    return { mode: 'artifacts', artifactRepositoryRef: settings.artifactRepositoryRef }
  return { mode: 'volume', size: settings.volumeSize, storageClass: settings.volumeStorageClass }
}

/** Pods stay for their logs unless the operator says otherwise; the Workflow goes after its TTL. */
export function workflowCleanupOf(
  settings: ProcessingContext['settings'],
): Pick<Parameters<typeof buildWorkflowManifest>[0], 'podGC' | 'ttlStrategy'> {
  return {
    podGC: settings.workflowPodGc === 'none' ? null : { strategy: settings.workflowPodGc },
    ...(settings.workflowTtlSeconds > 0
      ? { ttlStrategy: { secondsAfterCompletion: settings.workflowTtlSeconds } }
      : {}),
  }
}

export function manifestFor(ctx: ProcessingContext, run: RunRow, type: WorkflowType): WorkflowManifest {
  return buildWorkflowManifest({
    name: run.name,
    namespace: ctx.settings.kubeNamespace,
    recordId: run.recordId,
    type: { name: type.name, steps: type.steps, activeDeadlineSeconds: type.activeDeadlineSeconds },
    seq: run.seq,
    files: run.files.map((file) => ({
      key: file.fileKey,
      mimetype: file.mimetype,
      checksum: file.checksum,
      size: file.size,
    })),
    parameters: (run.parameters ?? {}) as Record<string, unknown>,
    serviceUrl: ctx.settings.publicUrl,
    runTokenSecretName: runTokenSecretName(run.name),
    transfer: fileTransferOf(ctx.settings),
    suspend: true,
    ...workflowCleanupOf(ctx.settings),
  })
}

const UNAVAILABLE_RETRIES = 2
const RETRY_DELAY_MS = 250

/**
 * Creates the run's Workflow. A cluster that is briefly unavailable is tried again a few times; if
 * an earlier try did get through, the AlreadyExists that follows is recognised as our own Workflow.
 * Throws AlreadyExistsError when the name belongs to someone else's Workflow, and the Kubernetes
 * error when creation fails for good.
 */
export async function submitRun(ctx: ProcessingContext, run: RunRow, type: WorkflowType): Promise<Workflow> {
  const created = await createSuspended(ctx, run, type)
  try {
    await issueRunTokenSecret(ctx, run, created)
    return await ctx.argo.patchWorkflowSpec(run.name, { suspend: null })
  } catch (error) {
    // Without its token the run cannot read its files: end it rather than leave it suspended.
    await ctx.argo
      .patchWorkflowSpec(run.name, { suspend: null, shutdown: 'Terminate' })
      .catch((cleanup: unknown) =>
        ctx.logger.warn({ run: run.name, err: cleanup }, 'could not terminate a run whose token failed'),
      )
    throw error
  }
}

async function createSuspended(ctx: ProcessingContext, run: RunRow, type: WorkflowType): Promise<Workflow> {
  const manifest = manifestFor(ctx, run, type) as unknown as Workflow
  let triedBefore = false
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.argo.createWorkflow(manifest)
    } catch (error) {
      if (error instanceof AlreadyExistsError && triedBefore) {
        const existing = await ctx.argo.getWorkflow(run.name)
        if (existing && isSameRun(existing, manifest)) return existing
      }
      if (!(error instanceof UnavailableError) || attempt >= UNAVAILABLE_RETRIES) throw error
      triedBefore = true
      ctx.logger.warn(
        { run: run.name, attempt, err: error },
        'cluster unavailable while creating a run; retrying',
      )
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (attempt + 1)))
    }
  }
}

function isSameRun(existing: Workflow, manifest: Workflow): boolean {
  const annotations = existing.metadata.annotations ?? {}
  const labels = existing.metadata.labels ?? {}
  return (
    annotations[FILES_ANNOTATION] === manifest.metadata.annotations?.[FILES_ANNOTATION] &&
    labels[WORKFLOW_TYPE_LABEL] === manifest.metadata.labels?.[WORKFLOW_TYPE_LABEL]
  )
}
