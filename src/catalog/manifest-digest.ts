import { createHash } from 'node:crypto'

/** JSON with object keys sorted at every level, so equal values always serialise alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null'
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)))
  if (value === null || typeof value !== 'object') return value
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return sortKeys((value as { toJSON(): unknown }).toJSON())
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key]
    if (item !== undefined) sorted[key] = sortKeys(item)
  }
  return sorted
}

/**
 * Hash of the resolved WorkflowTemplate specs a run used (compchem_workflow.template_digest): equal
 * digests mean the same processing, whatever order the API server returned the keys in.
 */
export function templateDigest(resolvedTemplates: readonly object[]): string {
  return createHash('sha256').update(canonicalJson(resolvedTemplates)).digest('hex')
}
