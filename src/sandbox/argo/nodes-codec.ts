// status.compressedNodes: base64 of the gzipped JSON of status.nodes, as Argo's hydrator writes it.
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Nodes, WorkflowStatus } from './model.js'

export function compressNodes(nodes: Nodes): string {
  return gzipSync(Buffer.from(JSON.stringify(nodes))).toString('base64')
}

export function decompressNodes(compressed: string): Nodes {
  return JSON.parse(gunzipSync(Buffer.from(compressed, 'base64')).toString('utf8')) as Nodes
}

/** The nodes of a status, whether stored plainly or compressed. */
export function readNodes(status: WorkflowStatus | undefined): Nodes {
  if (!status) return {}
  if (status.compressedNodes) return decompressNodes(status.compressedNodes)
  return status.nodes ?? {}
}

/** Puts nodes into the status, compressed when their JSON exceeds `compressAbove` bytes. */
export function writeNodes(status: WorkflowStatus, nodes: Nodes, compressAbove: number | undefined): void {
  const size = Buffer.byteLength(JSON.stringify(nodes))
  if (compressAbove !== undefined && size > compressAbove) {
    status.compressedNodes = compressNodes(nodes)
    delete status.nodes
  } else {
    status.nodes = nodes
    delete status.compressedNodes
  }
}
