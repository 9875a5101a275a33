// Object metadata checks the real API server makes on every write (apimachinery validation), with
// its wording, so a name too long for a label value fails here as it would in a cluster.
import type { KubeObject } from '../types.js'
import type { FieldError } from './errors.js'

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must " +
  "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must " +
  "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for " +
  "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const QUALIFIED_NAME_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " +
  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

function invalidValue(field: string, value: string, detail: string): FieldError {
  return { field, type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}` }
}

export function validateName(name: string): FieldError[] {
  const errors: FieldError[] = []
  if (name.length > 253)
    errors.push(invalidValue('metadata.name', name, 'must be no more than 253 characters'))
  if (!DNS1123_SUBDOMAIN.test(name)) errors.push(invalidValue('metadata.name', name, SUBDOMAIN_MESSAGE))
  return errors
}

function validateLabelKey(key: string): string[] {
  const slash = key.lastIndexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : ''
  const name = slash >= 0 ? key.slice(slash + 1) : key
  const problems: string[] = []
  if (slash >= 0 && (prefix.length === 0 || !DNS1123_SUBDOMAIN.test(prefix))) {
    problems.push(`prefix part ${SUBDOMAIN_MESSAGE}`)
  }
  if (name.length === 0) problems.push('name part must be non-empty')
  else if (name.length > 63) problems.push('name part must be no more than 63 characters')
  else if (!QUALIFIED_NAME.test(name)) problems.push(QUALIFIED_NAME_MESSAGE)
  return problems
}

export function validateMetadata(object: KubeObject): FieldError[] {
  const meta = object.metadata
  const errors: FieldError[] = []
  if (!meta.name) {
    errors.push({
      field: 'metadata.name',
      type: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
    })
  } else {
    errors.push(...validateName(meta.name))
  }
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    for (const problem of validateLabelKey(key)) errors.push(invalidValue('metadata.labels', key, problem))
    if (typeof value !== 'string') {
      errors.push(invalidValue('metadata.labels', String(value), 'must be a string'))
      continue
    }
    if (value.length > 63)
      errors.push(invalidValue('metadata.labels', value, 'must be no more than 63 characters'))
    if (!LABEL_VALUE.test(value)) errors.push(invalidValue('metadata.labels', value, LABEL_VALUE_MESSAGE))
  }
  for (const key of Object.keys(meta.annotations ?? {})) {
    for (const problem of validateLabelKey(key))
      errors.push(invalidValue('metadata.annotations', key, problem))
  }
  return errors
}
