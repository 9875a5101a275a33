// A workflow type's parameters JSON Schema as form fields, and the filled-in form back as parameters.
// Covers what catalogs use: string, number, integer, boolean and enum properties; anything else is
// edited as JSON text. The service validates the parameters again (422 with `errors`).

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json'

export interface FormField {
  /** Property name (the parameters key). */
  name: string
  /** What the label says: the property's title, else its name. */
  label: string
  kind: FieldKind
  required: boolean
  description?: string
  /** Initial input value: text for text inputs, the option index for enums, a boolean for checkboxes. */
  initial: string | boolean
  /** Enum choices, shown by their JSON text (strings as they are). */
  options?: Array<{ label: string; value: unknown }>
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  pattern?: string
}

type Schema = Record<string, unknown>

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function kindOf(property: Schema): FieldKind {
  if (Array.isArray(property.enum)) return 'enum'
  if (property.const !== undefined) return 'enum'
  // ['integer', 'null'] and the like: the first non-null type decides.
  const types = Array.isArray(property.type) ? property.type : [property.type]
  const type = types.find((t) => t !== 'null')
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') return type
  return 'json'
}

const labelOf = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))
const numberOr = (value: unknown) => (typeof value === 'number' ? value : undefined)

function initialOf(kind: FieldKind, property: Schema, options?: FormField['options']): string | boolean {
  const fallback = property.default
  if (kind === 'boolean') return fallback === true
  if (kind === 'enum') {
    const index = options?.findIndex((option) => JSON.stringify(option.value) === JSON.stringify(fallback))
    return index !== undefined && index >= 0 ? String(index) : ''
  }
  if (fallback === undefined) return ''
  return kind === 'json' ? JSON.stringify(fallback) : String(fallback)
}

export function fieldsFromSchema(schema: unknown): FormField[] {
  if (!isObject(schema) || !isObject(schema.properties)) return []
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : [])
  return Object.entries(schema.properties).map(([name, raw]) => {
    const property = isObject(raw) ? raw : {}
    const kind = kindOf(property)
    const values = Array.isArray(property.enum) ? property.enum : kind === 'enum' ? [property.const] : []
    const options = kind === 'enum' ? values.map((value) => ({ label: labelOf(value), value })) : undefined
    const field: FormField = {
      name,
      label: typeof property.title === 'string' && property.title ? property.title : name,
      kind,
      required: required.has(name),
      initial: initialOf(kind, property, options),
    }
    if (typeof property.description === 'string') field.description = property.description
    if (options) field.options = options
    const bounds = {
      minimum: numberOr(property.minimum),
      maximum: numberOr(property.maximum),
      minLength: numberOr(property.minLength),
      maxLength: numberOr(property.maxLength),
    }
    for (const [key, value] of Object.entries(bounds))
      if (value !== undefined) Object.assign(field, { [key]: value })
    if (typeof property.pattern === 'string') field.pattern = property.pattern
    return field
  })
}

export interface ParametersResult {
  parameters: Record<string, unknown>
  /** Per field name, what is wrong with its input. */
  errors: Record<string, string>
}

/**
 * The parameters object from the inputs' values (text, option index or checkbox state). Empty
 * optional fields are left out, so the type's defaults apply on the server.
 */
export function parametersFromInputs(
  fields: readonly FormField[],
  inputs: Readonly<Record<string, string | boolean | undefined>>,
): ParametersResult {
  const parameters: Record<string, unknown> = {}
  const errors: Record<string, string> = {}
  for (const field of fields) {
    const input = inputs[field.name]
    if (field.kind === 'boolean') {
      parameters[field.name] = input === true
      continue
    }
    const text = typeof input === 'string' ? input.trim() : ''
    if (text === '') {
      if (field.required) errors[field.name] = `${field.label} is required.`
      continue
    }
    const value = parseInput(field, text)
    if ('error' in value) errors[field.name] = value.error
    else parameters[field.name] = value.value
  }
  return { parameters, errors }
}

function parseInput(field: FormField, text: string): { value: unknown } | { error: string } {
  switch (field.kind) {
    case 'string':
      return { value: text }
    case 'number':
    case 'integer': {
      const number = Number(text)
      if (!Number.isFinite(number)) return { error: `${field.label} must be a number.` }
      if (field.kind === 'integer' && !Number.isInteger(number))
        return { error: `${field.label} must be a whole number.` }
      if (field.minimum !== undefined && number < field.minimum)
        return { error: `${field.label} must be at least ${field.minimum}.` }
      if (field.maximum !== undefined && number > field.maximum)
        return { error: `${field.label} must be at most ${field.maximum}.` }
      return { value: number }
    }
    case 'enum': {
      const option = field.options?.[Number(text)]
      return option ? { value: option.value } : { error: `Choose one of the values for ${field.label}.` }
    }
    case 'json':
      try {
        return { value: JSON.parse(text) }
      } catch {
        return { error: `${field.label} must be valid JSON.` }
      }
    default:
      return { value: text }
  }
}
