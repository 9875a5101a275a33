import { createHash } from 'node:crypto'

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const MAX_LABEL_VALUE = 63
const DNS_1123_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function isLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(value)
}

/**
 * A valid label value for any string: itself when already valid, otherwise a readable prefix plus
 * a hash of the whole string, so distinct inputs stay distinct. Same scheme as src/argo/labels.ts.
 */
export function labelSafe(value: string): string {
  if (isLabelValue(value)) return value
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 10)
  const readable = value
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, MAX_LABEL_VALUE - hash.length - 1)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
  return readable ? `${readable}-${hash}` : hash
}

/** Workflow names become label values on pods, hence at most 63 characters. */
export function isWorkflowName(name: string): boolean {
  return name.length <= MAX_LABEL_VALUE && DNS_1123_NAME.test(name)
}
