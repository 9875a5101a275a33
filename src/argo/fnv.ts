const FNV32_OFFSET_BASIS = 0x811c9dc5
const FNV32_PRIME = 0x01000193

/** 32-bit FNV-1a of the UTF-8 bytes of `input`, as Argo uses for node ids and pod names. */
export function fnv32a(input: string): number {
  let hash = FNV32_OFFSET_BASIS
  for (const byte of Buffer.from(input, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, FNV32_PRIME) >>> 0
  }
  return hash >>> 0
}

/** Argo's node id for a node name: `<workflow>-<fnv32a(nodeName)>` (the workflow's root node is the bare name). */
export function nodeIdFor(workflowName: string, nodeName: string): string {
  if (nodeName === workflowName) return workflowName
  return `${workflowName}-${fnv32a(nodeName)}`
}
