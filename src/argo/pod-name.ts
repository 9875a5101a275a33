import { POD_NAME_FORMAT_ANNOTATION } from './labels.js'
import { fnv32a } from './fnv.js'
import type { NodeStatus, Workflow } from './types.js'

// Kubernetes object names are at most 253 characters; Argo keeps room for a 10-digit hash.
const MAX_OBJECT_NAME = 253
const HASH_ROOM = 10
const MAX_PREFIX = MAX_OBJECT_NAME - HASH_ROOM - 1

/** The template a node ran: its own name, or the referenced template for `templateRef` nodes. */
export function templateNameOf(node: Pick<NodeStatus, 'templateName' | 'templateRef'>): string {
  return node.templateName || node.templateRef?.template || ''
}

/**
 * The pod that runs a node, following Argo's naming: v1 is the node id; v2 (the default) is
 * `<workflow>-<template>-<hash>`, where the hash is the node id's part after `<workflow>-` (fnv32a of
 * the node name plus any collision suffix). Node status has no pod-name field, so this is the only way.
 */
export function podNameOf(workflow: Workflow, node: NodeStatus): string {
  const workflowName = workflow.metadata.name ?? ''
  if (workflow.metadata.annotations?.[POD_NAME_FORMAT_ANNOTATION] === 'v1') return node.id
  // A containerSet's container nodes run in the pod of the node that bounds them.
  const podNodeId = (node.type === 'Container' ? node.boundaryID : node.id) ?? node.id
  if (podNodeId === workflowName) return workflowName

  const templateName = templateNameOf(node)
  let prefix = templateName ? `${workflowName}-${templateName}` : workflowName
  if (prefix.length > MAX_PREFIX) prefix = prefix.slice(0, MAX_PREFIX)

  const idPrefix = `${workflowName}-`
  const hash = podNodeId.startsWith(idPrefix) ? podNodeId.slice(idPrefix.length) : String(fnv32a(node.name))
  const excess = prefix.length + 1 + hash.length - MAX_OBJECT_NAME
  if (excess > 0) prefix = prefix.slice(0, prefix.length - excess)
  return `${prefix}-${hash}`
}
