// Structural-schema behaviour of a CRD with a full openAPIV3Schema: type, required and enum errors
// worded as the real apiextensions validator words them, and pruning of fields the schema does not
// declare (unless x-kubernetes-preserve-unknown-fields), reported back as unknown fields.
import type { FieldError } from './errors.js'

export interface StructuralSchema {
  type?: string
  properties?: Record<string, StructuralSchema>
  additionalProperties?: StructuralSchema | boolean
  items?: StructuralSchema
  required?: string[]
  enum?: unknown[]
  nullable?: boolean
  'x-kubernetes-preserve-unknown-fields'?: boolean
  'x-kubernetes-int-or-string'?: boolean
  'x-kubernetes-embedded-resource'?: boolean
  [key: string]: unknown
}

/**
 * The shape of Argo's minimal CRDs (its default install): spec and status are free-form objects,
 * spec is required, anything else at the top level is pruned.
 */
export const MINIMAL_SCHEMA: StructuralSchema = {
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
}

export interface SchemaCheck {
  errors: FieldError[]
  /** Paths of fields the schema does not know, already removed from the object. */
  unknownFields: string[]
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer')
}

function render(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'null')
}

function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key
}

function walk(value: unknown, schema: StructuralSchema, path: string, check: SchemaCheck): void {
  const actual = typeOf(value)
  if (value === null) {
    if (!schema.nullable && schema.type) {
      check.errors.push(typeError(path, schema.type, actual))
    }
    return
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string')
      check.errors.push(typeError(path, 'integer-or-string', actual))
    return
  }
  if (schema.type && !typeMatches(schema.type, actual)) {
    check.errors.push(typeError(path, schema.type, actual))
    return
  }
  if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    const supported = schema.enum.map(render).join(', ')
    check.errors.push({
      field: path,
      type: 'FieldValueNotSupported',
      message: `Unsupported value: ${render(value)}: supported values: ${supported}`,
    })
  }
  if (actual === 'array' && schema.items) {
    ;(value as unknown[]).forEach((item, i) =>
      walk(item, schema.items as StructuralSchema, `${path}[${i}]`, check),
    )
  }
  if (actual === 'object') walkObject(value as Record<string, unknown>, schema, path, check)
}

function walkObject(
  object: Record<string, unknown>,
  schema: StructuralSchema,
  path: string,
  check: SchemaCheck,
) {
  for (const name of schema.required ?? []) {
    if (!(name in object)) {
      check.errors.push({
        field: childPath(path, name),
        type: 'FieldValueRequired',
        message: 'Required value',
      })
    }
  }
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true
  const embedded = schema['x-kubernetes-embedded-resource'] === true
  for (const key of Object.keys(object)) {
    const declared = schema.properties?.[key]
    const childSchema =
      declared ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined)
    if (object[key] === null && childSchema && !childSchema.nullable) {
      // The real server prunes nulls of non-nullable fields before validating (apiextensions v1).
      delete object[key]
    } else if (declared) {
      walk(object[key], declared, childPath(path, key), check)
    } else if (typeof schema.additionalProperties === 'object') {
      walk(object[key], schema.additionalProperties, childPath(path, key), check)
    } else if (schema.additionalProperties === true || preserve) {
      continue
    } else if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      continue
    } else {
      check.unknownFields.push(childPath(path, key))
      delete object[key]
    }
  }
}

function typeError(path: string, expected: string, actual: string): FieldError {
  return {
    field: path,
    type: 'FieldValueTypeInvalid',
    message: `Invalid value: "${actual}": ${path} in body must be of type ${expected}: "${actual}"`,
  }
}

/** Validates `object` against a CRD's openAPIV3Schema, pruning unknown fields in place. */
export function checkAgainstSchema(object: Record<string, unknown>, schema: StructuralSchema): SchemaCheck {
  const check: SchemaCheck = { errors: [], unknownFields: [] }
  // apiVersion, kind and metadata are the server's own business: never pruned or type-checked here.
  const serverOwned: StructuralSchema = { 'x-kubernetes-preserve-unknown-fields': true }
  const properties = {
    ...schema.properties,
    apiVersion: serverOwned,
    kind: serverOwned,
    metadata: serverOwned,
  }
  walkObject(object, { ...schema, properties }, '', check)
  // A schema with CEL rules (Argo's full CRDs have some) skips them on an object that already failed, and
  // says so in one more cause, as the real server does.
  if (check.errors.length && hasCelRules(schema)) check.errors.push(CEL_SKIPPED)
  return check
}

const CEL_SKIPPED: FieldError = {
  field: '<nil>',
  type: 'FieldValueInvalid',
  message:
    'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
}

const celRules = new WeakMap<StructuralSchema, boolean>()

function hasCelRules(schema: StructuralSchema): boolean {
  let found = celRules.get(schema)
  if (found === undefined) {
    found = JSON.stringify(schema).includes('"x-kubernetes-validations"')
    celRules.set(schema, found)
  }
  return found
}
