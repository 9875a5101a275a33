import { gunzipSync, gzipSync } from 'node:zlib'
import type { NodeStatus } from './types.js'

export type NodeMap = Record<string, NodeStatus>

/** Decodes Argo's `status.compressedNodes`: base64 of the gzip of the nodes' JSON. */
export function decodeCompressedNodes(compressed: string): NodeMap {
  const json = gunzipSync(Buffer.from(compressed, 'base64')).toString('utf8')
  const nodes: unknown = JSON.parse(json)
  if (!nodes || typeof nodes !== 'object' || Array.isArray(nodes)) {
    throw new Error('compressedNodes does not hold a map of nodes')
  }
  return nodes as NodeMap
}

/** The inverse of decodeCompressedNodes, as Argo's controller writes it. */
export function encodeCompressedNodes(nodes: NodeMap): string {
  return gzipSync(Buffer.from(JSON.stringify(nodes), 'utf8')).toString('base64')
}
