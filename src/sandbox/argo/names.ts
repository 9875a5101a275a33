// Argo's naming rules: node ids, pod names (v2), and the label/annotation keys the controller writes.

export const LABEL_WORKFLOW = 'workflows.argoproj.io/workflow'
export const LABEL_PHASE = 'workflows.argoproj.io/phase'
export const LABEL_COMPLETED = 'workflows.argoproj.io/completed'
export const LABEL_ON_EXIT = 'workflows.argoproj.io/on-exit'
export const LABEL_WORKFLOW_TEMPLATE = 'workflows.argoproj.io/workflow-template'
export const LABEL_CLUSTER_WORKFLOW_TEMPLATE = 'workflows.argoproj.io/cluster-workflow-template'
export const ANNOTATION_NODE_NAME = 'workflows.argoproj.io/node-name'
export const ANNOTATION_NODE_ID = 'workflows.argoproj.io/node-id'
export const ANNOTATION_NODE_TYPE = 'workflows.argoproj.io/node-type'
export const ANNOTATION_OUTPUTS = 'workflows.argoproj.io/outputs'
export const ANNOTATION_TEMPLATE = 'workflows.argoproj.io/template'
export const ANNOTATION_POD_NAME_FORMAT = 'workflows.argoproj.io/pod-name-format'
export const ANNOTATION_WORKFLOW_UID = 'workflows.argoproj.io/workflow-uid'

const MAX_K8S_NAME_LENGTH = 253
const K8S_NAMING_HASH_LENGTH = 10
const MAX_POD_NAME_PREFIX_LENGTH = MAX_K8S_NAME_LENGTH - K8S_NAMING_HASH_LENGTH

/** 32-bit FNV-1a over the UTF-8 bytes of `input`, as Go's hash/fnv New32a. */
export function fnv32a(input: string): number {
  let hash = 0x811c9dc5
  for (const byte of new TextEncoder().encode(input)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash >>> 0
}

/** Node id as Workflow.NodeID: the workflow name for the root node, else `<workflow>-<fnv32a(nodeName)>`. */
export function nodeId(workflowName: string, nodeName: string): string {
  if (nodeName === workflowName) return workflowName
  return `${workflowName}-${fnv32a(nodeName)}`
}

/**
 * Pod name in Argo's v2 scheme: `<workflow>-<templateName>-<hash>`, where the hash is the node id's
 * part after `<workflow>-` (fnv32a of the node name plus any collision suffix). The prefix is cut so
 * the hash always fits in a 253-character name. A node named like the workflow runs in a pod named
 * like the workflow.
 */
export function podName(
  workflowName: string,
  node: { id: string; name: string },
  templateName: string,
): string {
  if (node.name === workflowName || node.id === workflowName) return workflowName
  let prefix = templateName ? `${workflowName}-${templateName}` : workflowName
  if (prefix.length > MAX_POD_NAME_PREFIX_LENGTH - 1) prefix = prefix.slice(0, MAX_POD_NAME_PREFIX_LENGTH - 1)
  const idPrefix = `${workflowName}-`
  const hash = node.id.startsWith(idPrefix) ? node.id.slice(idPrefix.length) : String(fnv32a(node.name))
  const excess = prefix.length + 1 + hash.length - MAX_K8S_NAME_LENGTH
  if (excess > 0) prefix = prefix.slice(0, prefix.length - excess)
  return `${prefix}-${hash}`
}

/** The template a node ran, for pod names: templateRef.template when referenced, else templateName. */
export function templateNameOfNode(node: {
  templateName?: string
  templateRef?: { template?: string }
}): string {
  return node.templateRef?.template || node.templateName || ''
}

export function onExitNodeName(workflowName: string): string {
  return `${workflowName}.onExit`
}
