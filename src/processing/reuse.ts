// Reuse of results (job caching): a run of the same record, type, template digest, file checksum and
// parameters that Succeeded already wrote its results into the record, so it need not run again.
// The template digest hashes the resolved WorkflowTemplate specs the type's steps reference, so
// changing a template (not only the catalog) makes earlier results stale.
import { CustomObjectsApi } from '@kubernetes/client-node'
import { LRUCache } from 'lru-cache'
import { ArgoClient } from '../argo/index.js'
import { ARGO_GROUP, ARGO_VERSION } from '../argo/labels.js'
import { templateDigest } from '../catalog/manifest-digest.js'
import type { TemplateRef, WorkflowType } from '../config/index.js'
import { findReusableRun } from '../db/automatic.js'
import type { InputJsonObject } from '../db/index.js'
import type { ProcessingContext } from './context.js'

/** Reads the spec of a (Cluster)WorkflowTemplate; null when it does not exist. */
export type TemplateSpecReader = (ref: TemplateRef) => Promise<object | null>

const readers = new WeakMap<object, TemplateSpecReader>()

/** Lets tests (or another cluster access) say how templates are read for this Argo client. */
export function registerTemplateReader(argo: object, reader: TemplateSpecReader): void {
  readers.set(argo, reader)
}

function readerFor(argo: object): TemplateSpecReader | undefined {
  const known = readers.get(argo)
  if (known) return known
  if (!(argo instanceof ArgoClient)) return undefined
  const custom = argo.kubeConfig.makeApiClient(CustomObjectsApi)
  const reader: TemplateSpecReader = async (ref) => {
    try {
      const object = (
        ref.clusterScope
          ? await custom.getClusterCustomObject({
              group: ARGO_GROUP,
              version: ARGO_VERSION,
              plural: 'clusterworkflowtemplates',
              name: ref.name,
            })
          : await custom.getNamespacedCustomObject({
              group: ARGO_GROUP,
              version: ARGO_VERSION,
              namespace: argo.namespace,
              plural: 'workflowtemplates',
              name: ref.name,
            })
      ) as { spec?: object }
      return object.spec ?? {}
    } catch (error) {
      if ((error as { code?: number }).code === 404) return null
      throw error
    }
  }
  readers.set(argo, reader)
  return reader
}

const DIGEST_TTL_MS = 15_000
const digests = new WeakMap<object, LRUCache<string, { digest: string | null }>>()

/**
 * The template digest of a type as the cluster has its templates now (briefly remembered), or null
 * when it cannot be known (templates unreadable or missing): a null digest never reuses anything.
 */
export async function templateDigestOf(
  ctx: Pick<ProcessingContext, 'argo' | 'logger'>,
  type: WorkflowType,
): Promise<string | null> {
  const reader = readerFor(ctx.argo)
  if (!reader) return null
  let cache = digests.get(ctx.argo)
  if (!cache) {
    cache = new LRUCache({ max: 1000, ttl: DIGEST_TTL_MS })
    digests.set(ctx.argo, cache)
  }
  const key = JSON.stringify(type.steps)
  const cached = cache.get(key)
  if (cached) return cached.digest
  let digest: string | null
  try {
    const names = [...new Map(type.steps.map((step) => [templateKey(step.templateRef), step.templateRef]))]
    const specs = await Promise.all(names.map(([, ref]) => reader(ref)))
    digest = specs.some((spec) => spec === null)
      ? null
      : templateDigest([
          { steps: type.steps.map((step) => ({ name: step.name, templateRef: step.templateRef })) },
          ...names.map(([name], index) => ({ name, spec: specs[index] })),
        ])
  } catch (error) {
    ctx.logger.warn({ err: error, type: type.name }, 'could not read the WorkflowTemplates of a type')
    return null
  }
  cache.set(key, { digest })
  return digest
}

function templateKey(ref: TemplateRef): string {
  return `${ref.clusterScope ? 'cluster/' : ''}${ref.name}`
}

export interface ReuseQuery {
  recordId: string
  type: WorkflowType
  templateDigest: string | null
  fileKey: string
  checksum: string | null
  parameters: Record<string, unknown>
}

/** The run whose results can be reused for this single-file request, or null. */
export async function reusableRun(
  ctx: Pick<ProcessingContext, 'db'>,
  query: ReuseQuery,
): Promise<{ id: string; name: string } | null> {
  if (!query.templateDigest || !query.checksum) return null
  return findReusableRun(ctx.db.prisma, {
    recordId: query.recordId,
    workflowType: query.type.name,
    templateDigest: query.templateDigest,
    checksum: query.checksum,
    parameters: query.parameters as InputJsonObject,
  })
}
