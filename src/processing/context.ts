// What the processing use cases need of the service (ServiceContext provides all of it), narrowed
// so tests and other callers see exactly which parts each use case touches.
import type { Logger } from 'pino'
import type { ArgoClient, WorkflowInformer } from '../argo/index.js'
import type { CatalogStore, Settings } from '../config/index.js'
import type { Database } from '../db/index.js'
import type { InvenioClient } from '../invenio/index.js'
import { FileTypeResolver } from './file-types.js'

export interface ProcessingContext {
  settings: Pick<
    Settings,
    | 'publicUrl'
    | 'kubeNamespace'
    | 'pendingGraceSeconds'
    | 'fileTransfer'
    | 'volumeSize'
    | 'volumeStorageClass'
    | 'artifactRepositoryRef'
    | 'runTokenTtlSeconds'
    | 'workflowPodGc'
    | 'workflowTtlSeconds'
  >
  logger: Logger
  db: Pick<Database, 'prisma'>
  catalog: Pick<CatalogStore, 'current'>
  argo: Pick<
    ArgoClient,
    | 'createWorkflow'
    | 'getWorkflow'
    | 'listWorkflows'
    | 'patchWorkflowSpec'
    | 'createOwnedSecret'
    | 'deleteSecret'
  >
  informer: Pick<WorkflowInformer, 'get' | 'byRecord' | 'synced'>
  invenio: InvenioClient
  /** Counts started runs (src/http/metrics.ts). */
  metrics?: { runStarted(type: string): void }
  /** The clock for the Pending grace period (tests); default the system clock. */
  now?: () => Date
}

export function nowOf(ctx: Pick<ProcessingContext, 'now'>): Date {
  return ctx.now?.() ?? new Date()
}

// One resolver (and head cache) per service instance, without widening the service context.
const resolvers = new WeakMap<object, FileTypeResolver>()

export function fileTypesOf(ctx: Pick<ProcessingContext, 'invenio'>): FileTypeResolver {
  let resolver = resolvers.get(ctx)
  if (!resolver) {
    resolver = new FileTypeResolver({ invenio: ctx.invenio })
    resolvers.set(ctx, resolver)
  }
  return resolver
}
