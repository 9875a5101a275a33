import type { ResourceName } from '../types.js'
import type { QualifiedResource } from './errors.js'

export interface ResourceInfo extends QualifiedResource {
  resource: ResourceName
  version: string
  kind: string
  listKind: string
  singular: string
  namespaced: boolean
  shortNames: string[]
  /** Custom resources: no strategic merge patch, resourceVersion required on update. */
  custom: boolean
  verbs: string[]
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

export const RESOURCES: Record<ResourceName, ResourceInfo> = {
  workflows: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'workflows',
    kind: 'Workflow',
    listKind: 'WorkflowList',
    singular: 'workflow',
    namespaced: true,
    shortNames: ['wf'],
    custom: true,
    verbs: CRUD,
  },
  workflowtemplates: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'workflowtemplates',
    kind: 'WorkflowTemplate',
    listKind: 'WorkflowTemplateList',
    singular: 'workflowtemplate',
    namespaced: true,
    shortNames: ['wftmpl'],
    custom: true,
    verbs: CRUD,
  },
  clusterworkflowtemplates: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'clusterworkflowtemplates',
    kind: 'ClusterWorkflowTemplate',
    listKind: 'ClusterWorkflowTemplateList',
    singular: 'clusterworkflowtemplate',
    namespaced: false,
    shortNames: ['clusterwftmpl', 'cwft'],
    custom: true,
    verbs: CRUD,
  },
  pods: {
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    listKind: 'PodList',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    custom: false,
    verbs: CRUD,
  },
  secrets: {
    group: '',
    version: 'v1',
    resource: 'secrets',
    kind: 'Secret',
    listKind: 'SecretList',
    singular: 'secret',
    namespaced: true,
    shortNames: [],
    custom: false,
    verbs: CRUD,
  },
}

export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version
}

export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return Object.values(RESOURCES).find((r) => apiVersionOf(r) === apiVersion && r.kind === kind)
}
