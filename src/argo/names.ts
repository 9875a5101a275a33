import { RECORD_ID_LABEL, recordIdLabelValue, seqFromLabels, shortHash } from './labels.js'
import type { Workflow } from './types.js'

// A run name is also a label value (workflows.argoproj.io/workflow), hence 63, not 253.
export const MAX_RUN_NAME = 63
const HASH_LENGTH = 10
// When shortening, the type keeps at least this much so the name still says what ran.
const MIN_TYPE_PART = 16

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function isDnsLabel(name: string): boolean {
  return name.length <= MAX_RUN_NAME && DNS_LABEL.test(name)
}

function toDnsCharacters(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
}

function cut(value: string, length: number): string {
  return value.slice(0, Math.max(0, length)).replace(/-+$/, '')
}

/**
 * `<type>-<recordId>-<seq>`, a DNS-1123 label of at most 63 characters. Clean, short inputs are used
 * as they are; otherwise the type and record id are shortened and a hash of the exact (type, record)
 * pair is added, so two pairs never share a name and the seq stays readable at the end.
 */
export function runName(workflowType: string, recordId: string, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new RangeError(`seq must be a positive integer, got ${seq}`)
  const type = toDnsCharacters(workflowType)
  const record = toDnsCharacters(recordId)
  const seqPart = String(seq)
  const plain = `${workflowType}-${recordId}-${seqPart}`
  if (type === workflowType && record === recordId && type && record && plain.length <= MAX_RUN_NAME)
    return plain

  const hash = shortHash(JSON.stringify([workflowType, recordId]), HASH_LENGTH)
  // Room for "<type>-<record>", leaving "-<hash>-<seq>".
  const room = MAX_RUN_NAME - seqPart.length - 1 - hash.length - 1 - 1
  const typeLength = Math.min(type.length, Math.max(MIN_TYPE_PART, room - record.length))
  const typePart = cut(type, typeLength)
  const recordPart = cut(record, room - typePart.length)
  return [typePart, recordPart, hash, seqPart].filter((part) => part !== '').join('-')
}

/** The highest seq Argo knows for the record (0 when none), read from the Workflows' labels. */
export function maxSeqInArgo(workflows: Iterable<Workflow>, recordId: string): number {
  const labelValue = recordIdLabelValue(recordId)
  let max = 0
  for (const workflow of workflows) {
    const labels = workflow.metadata.labels
    if (labels?.[RECORD_ID_LABEL] !== labelValue) continue
    const seq = seqFromLabels(labels)
    if (seq !== undefined && seq > max) max = seq
  }
  return max
}
