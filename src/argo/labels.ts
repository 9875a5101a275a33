import { createHash } from 'node:crypto'

// Keys the service puts on every Workflow it creates (DESIGN.md "Runs, names and the lock rule").
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGED_BY_VALUE = 'compchem-fileprocessor'
export const MANAGED_BY_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`
export const RECORD_ID_LABEL = 'compchem.cz/record-id'
export const WORKFLOW_TYPE_LABEL = 'compchem.cz/workflow-type'
export const SEQ_LABEL = 'compchem.cz/seq'
/** File keys of the run as a JSON array: labels cannot hold or index them. */
export const FILES_ANNOTATION = 'compchem.cz/files'
/** The untouched record id, for ids that had to be shortened to fit a label value. */
export const RECORD_ID_ANNOTATION = 'compchem.cz/record-id'
/** Held on each Workflow until its outcome row is written, so Argo's GC cannot lose the outcome. */
export const OUTCOME_FINALIZER = 'compchem.cz/outcome'

/** Argo's annotation choosing pod names: 'v1' = node id, otherwise the v2 scheme. */
export const POD_NAME_FORMAT_ANNOTATION = 'workflows.argoproj.io/pod-name-format'

export const ARGO_GROUP = 'argoproj.io'
export const ARGO_VERSION = 'v1alpha1'
export const WORKFLOW_PLURAL = 'workflows'

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const MAX_LABEL_VALUE = 63

export function shortHash(value: string, length = 10): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length)
}

/**
 * The label value used for a record id. Invenio ids are valid label values as they are; anything
 * longer or odd is shortened to a readable prefix plus a hash of the whole id, so it stays unique.
 */
export function recordIdLabelValue(recordId: string): string {
  if (recordId.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(recordId)) return recordId
  const hash = shortHash(recordId)
  const readable = recordId
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, MAX_LABEL_VALUE - hash.length - 1)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
  return readable ? `${readable}-${hash}` : hash
}

/** The run's seq from its labels, or undefined when missing or not a positive integer. */
export function seqFromLabels(labels: Record<string, string> | undefined): number | undefined {
  const raw = labels?.[SEQ_LABEL]
  if (raw === undefined || !/^[1-9][0-9]*$/.test(raw)) return undefined
  const seq = Number(raw)
  return Number.isSafeInteger(seq) ? seq : undefined
}

/** File keys from the files annotation; an unreadable annotation gives an empty list. */
export function filesFromAnnotations(annotations: Record<string, string> | undefined): string[] {
  const raw = annotations?.[FILES_ANNOTATION]
  if (!raw) return []
  try {
    const parsed: unknown = JSON.parse(raw)
    return Array.isArray(parsed) ? parsed.filter((key): key is string => typeof key === 'string') : []
  } catch {
    return []
  }
}
