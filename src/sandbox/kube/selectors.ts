// Label and field selectors as the API server parses them (apimachinery labels/fields packages).
import type { KubeObject, ResourceName } from '../types.js'
import { badRequest } from './errors.js'

type Operator = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt'

interface Requirement {
  key: string
  operator: Operator
  values: string[]
}

export type Matcher = (object: KubeObject) => boolean

function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const ch of text) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else current += ch
  }
  parts.push(current)
  return parts.map((p) => p.trim()).filter((p) => p.length > 0)
}

function parseRequirement(text: string): Requirement {
  const set = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text)
  if (set) {
    const values = (set[3] as string).split(',').map((v) => v.trim())
    return { key: set[1] as string, operator: set[2] as Operator, values }
  }
  const exists = /^(!?)\s*([^\s!=<>(),]+)$/.exec(text)
  if (exists) return { key: exists[2] as string, operator: exists[1] ? '!exists' : 'exists', values: [] }
  const compare = /^([^\s!=<>(),]+)\s*(==|=|!=|<|>)\s*([^\s!=<>(),]*)$/.exec(text)
  if (compare) {
    const op = compare[2] as string
    const operator: Operator = op === '!=' ? '!=' : op === '<' ? 'lt' : op === '>' ? 'gt' : '='
    return { key: compare[1] as string, operator, values: [compare[3] as string] }
  }
  throw badRequest(`unable to parse requirement: found '${text}', expected: identifier, in, notin, =, ==, !=`)
}

function matches(requirement: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, requirement.key)
  const value = labels[requirement.key]
  switch (requirement.operator) {
    case 'exists':
      return has
    case '!exists':
      return !has
    case '=':
    case 'in':
      return has && requirement.values.includes(value as string)
    case '!=':
    case 'notin':
      return !has || !requirement.values.includes(value as string)
    case 'gt':
      return has && Number(value) > Number(requirement.values[0])
    case 'lt':
      return has && Number(value) < Number(requirement.values[0])
  }
}

export function parseLabelSelector(selector: string | undefined): Matcher {
  if (!selector) return () => true
  const requirements = splitTopLevel(selector).map(parseRequirement)
  return (object) => requirements.every((r) => matches(r, object.metadata.labels ?? {}))
}

const FIELDS: Record<ResourceName, Record<string, (o: KubeObject) => string | undefined>> = {
  workflows: {},
  workflowtemplates: {},
  clusterworkflowtemplates: {},
  pods: {
    'spec.nodeName': (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName,
    'status.phase': (o) => (o.status as { phase?: string } | undefined)?.phase,
  },
  secrets: { type: (o) => o.type as string | undefined },
}

export function parseFieldSelector(resource: ResourceName, selector: string | undefined): Matcher {
  if (!selector) return () => true
  const fields: Record<string, (o: KubeObject) => string | undefined> = {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace,
    ...FIELDS[resource],
  }
  const tests = splitTopLevel(selector).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term)
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`)
    const [, field, op, value] = m as unknown as [string, string, string, string]
    const read = fields[field]
    // Worded as the field label conversions of custom resources and core kinds word it.
    if (!read) throw badRequest(`field label not supported: ${field}`)
    return (o: KubeObject) => ((read(o) ?? '') === value) === (op !== '!=')
  })
  return (object) => tests.every((t) => t(object))
}
