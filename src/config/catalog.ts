// The workflow-type catalog: parsed from YAML, checked against its JSON Schema and then for what a
// schema cannot say (unique names, regexes that compile, parameter schemas that compile).
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import formatsPlugin from 'ajv-formats'
import { LineCounter, parseDocument } from 'yaml'
import { catalogSchema, originalCatalogSchema, DNS_LABEL_PATTERN } from './catalog-schema.js'
import { YamlLocator, displayPath, pointerSegments } from './yaml-locate.js'

export interface TemplateRef {
  /** WorkflowTemplate (or ClusterWorkflowTemplate) name. */
  name: string
  /** Template inside it. */
  template: string
  clusterScope?: boolean
}

export interface WorkflowStep {
  name: string
  templateRef: TemplateRef
}

export interface WorkflowMatch {
  /** Lowercased; `*` and `type/*` allowed. */
  mimetypes: string[]
  /** Lowercased, with the leading dot; `*` allowed. */
  extensions: string[]
  /** Regular expression (flag `m`) over the first 64 KiB of the file. */
  contentPattern?: string
}

export type JsonSchemaObject = Record<string, unknown>

export interface WorkflowType {
  name: string
  description: string
  match: WorkflowMatch
  steps: WorkflowStep[]
  parameters: JsonSchemaObject
  automatic: boolean
  maxFiles: number
  activeDeadlineSeconds?: number
}

export interface Catalog {
  types: readonly WorkflowType[]
  /** Where it came from (a file path or a label). */
  source: string
  format: 'current' | 'original'
  /** sha256 of the normalized types, to tell catalogs apart. */
  digest: string
}

export interface CatalogProblem {
  source: string
  line: number
  column: number
  /** `workflows[1].steps[0]` */
  path: string
  message: string
}
export type CatalogError = CatalogProblem
export type CatalogWarning = CatalogProblem

export type CatalogResult =
  { ok: true; catalog: Catalog; warnings: CatalogWarning[] } | { ok: false; errors: CatalogError[] }

/** `catalog.yaml:12:7: workflows[1].steps[0]: must have required property 'templateRef'` */
export function formatProblem(problem: CatalogProblem): string {
  return `${problem.source}:${problem.line}:${problem.column}: ${problem.path}: ${problem.message}`
}

/** Step names the service uses for the steps it adds around the catalog's. */
export const RESERVED_STEP_NAMES: readonly string[] = ['read-files', 'write-files', 'exit-handler']

export const DEFAULT_PARAMETERS: JsonSchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {},
}

const schemaAjv = new Ajv2020({ allErrors: true, strict: true, verbose: true })
schemaAjv.addVocabulary(['errorHint'])
const validateCurrent = schemaAjv.compile(catalogSchema)
const validateOriginal = schemaAjv.compile(originalCatalogSchema)

/** Compiles the user-parameter schemas of the types; shared so each schema is compiled once. */
// strictSchema: a misspelt keyword (`minimun`) is an error at load time, not a bound silently ignored.
const parametersAjv = new Ajv2020({
  allErrors: true,
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
})
formatsPlugin.default(parametersAjv)
const compiledParameters = new WeakMap<WorkflowType, ValidateFunction>()

/** The validator of a type's user parameters (cached per type object). */
export function parametersValidator(type: WorkflowType): ValidateFunction {
  let validate = compiledParameters.get(type)
  if (!validate) {
    validate = parametersAjv.compile(type.parameters)
    compiledParameters.set(type, validate)
  }
  return validate
}

export function findType(catalog: Catalog, name: string): WorkflowType | undefined {
  return catalog.types.find((type) => type.name === name)
}

export async function loadCatalogFile(path: string): Promise<CatalogResult> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    return {
      ok: false,
      errors: [
        { source: path, line: 1, column: 1, path: '(file)', message: `cannot read the file (${code})` },
      ],
    }
  }
  return parseCatalog(text, path)
}

interface RawType {
  name: string
  description: string
  match: { mimetypes: string[]; extensions: string[]; contentPattern?: string }
  steps: WorkflowStep[]
  parameters?: JsonSchemaObject
  automatic?: boolean
  maxFiles?: number
  activeDeadlineSeconds?: number
}

interface RawOriginalType {
  name: string
  mimetype: string
  extension: string
  'processing-templates': TemplateRef[]
}

export function parseCatalog(text: string, source: string): CatalogResult {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const locator = new YamlLocator(document, lineCounter)
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => ({
        source,
        ...locator.position(error.pos[0]),
        path: '(yaml)',
        message: error.message.split('\n')[0] ?? error.message,
      })),
    }
  }
  const data: unknown = document.toJS({ maxAliasCount: 100 })
  const problem = (segments: Array<string | number>, message: string, key?: string): CatalogProblem => ({
    source,
    ...locator.locate(segments, key),
    path: displayPath(key === undefined ? segments : [...segments, key]),
    message,
  })

  const format = isOriginalFormat(data) ? 'original' : 'current'
  const validate = format === 'original' ? validateOriginal : validateCurrent
  const schemaOk = validate(data)
  const errors = (validate.errors ?? []).map((error) => schemaProblem(error, problem))
  // The checks a schema cannot express also run on a file that fails the schema, so one
  // `catalog validate` shows every mistake; on the original format they need a valid file.
  const entries = (data as { workflows?: unknown } | null)?.workflows
  if (format === 'current' && Array.isArray(entries))
    errors.push(...semanticErrors(entries, 'steps', problem, locator))
  if (!schemaOk || errors.length > 0) return { ok: false, errors: sortByPosition(dedupe(errors)) }

  const warnings: CatalogWarning[] = []
  let rawTypes: RawType[]
  if (format === 'original') {
    rawTypes = (data as { workflows: RawOriginalType[] }).workflows.map(convertOriginal)
    warnings.push(
      problem(['workflows'], 'original catalog format converted; see docs/catalog.md for the current format'),
    )
    const conversionErrors = semanticErrors(rawTypes, 'processing-templates', problem, locator)
    if (conversionErrors.length > 0) return { ok: false, errors: conversionErrors }
  } else {
    rawTypes = (data as { workflows: RawType[] }).workflows
  }
  rawTypes.forEach((raw, index) => {
    warnings.push(...matchWarnings(raw, (message) => problem(['workflows', index, 'match'], message)))
  })
  if (rawTypes.length === 0)
    warnings.push(problem(['workflows'], 'the catalog has no workflow types; no file will match'))

  const types = rawTypes.map(normalize)
  // Frozen: one catalog object is shared by every request until the next reload.
  const catalog = deepFreeze({ types, source, format, digest: digestOf(types) } satisfies Catalog)
  return { ok: true, catalog, warnings }
}

type ProblemAt = (segments: Array<string | number>, message: string, key?: string) => CatalogProblem

/** Unique type names, compiling regexes and parameter schemas, unique and unreserved step names. */
function semanticErrors(
  entries: unknown[],
  stepsKey: string,
  problem: ProblemAt,
  locator: YamlLocator,
): CatalogError[] {
  const errors: CatalogError[] = []
  const firstIndexByName = new Map<string, number>()
  entries.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null) return
    const raw = entry as Partial<Record<keyof RawType, unknown>>
    const at = (...rest: Array<string | number>) => ['workflows', index, ...rest]
    if (typeof raw.name === 'string') {
      const first = firstIndexByName.get(raw.name)
      if (first === undefined) firstIndexByName.set(raw.name, index)
      else {
        const firstLine = locator.locate(['workflows', first, 'name']).line
        errors.push(
          problem(
            at('name'),
            `duplicate workflow type name '${raw.name}' (first defined on line ${firstLine})`,
          ),
        )
      }
    }
    const contentPattern = (raw.match as { contentPattern?: unknown } | undefined)?.contentPattern
    if (typeof contentPattern === 'string') {
      try {
        new RegExp(contentPattern, 'm')
      } catch (error) {
        errors.push(
          problem(
            at('match', 'contentPattern'),
            `is not a valid regular expression: ${(error as Error).message}`,
          ),
        )
      }
    }
    if (typeof raw.parameters === 'object' && raw.parameters !== null) {
      try {
        parametersAjv.compile(raw.parameters as JsonSchemaObject)
      } catch (error) {
        errors.push(problem(at('parameters'), `is not a valid JSON Schema: ${(error as Error).message}`))
      }
    }
    if (!Array.isArray(raw.steps)) return
    const stepNames = new Set<string>()
    raw.steps.forEach((step: unknown, stepIndex) => {
      const name = (step as { name?: unknown } | null)?.name
      if (typeof name !== 'string') return
      const stepAt = stepsKey === 'steps' ? at('steps', stepIndex, 'name') : at(stepsKey, stepIndex)
      if (RESERVED_STEP_NAMES.includes(name)) {
        errors.push(
          problem(stepAt, `step name '${name}' is reserved for the service's own steps; rename the step`),
        )
      }
      if (stepNames.has(name)) errors.push(problem(stepAt, `duplicate step name '${name}' in this type`))
      stepNames.add(name)
    })
  })
  return errors
}

function sortByPosition(problems: CatalogProblem[]): CatalogProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column)
}

function isOriginalFormat(data: unknown): boolean {
  const workflows = (data as { workflows?: unknown } | null)?.workflows
  if (!Array.isArray(workflows)) return false
  return workflows.some(
    (entry) => typeof entry === 'object' && entry !== null && 'processing-templates' in (entry as object),
  )
}

/**
 * Original entries become current types: single mimetype/extension → one-element lists, each
 * processing template → a step whose name is the template name made a DNS label, deduplicated
 * with -2, -3… (and never one of the reserved names).
 */
function convertOriginal(entry: RawOriginalType): RawType {
  const extension =
    entry.extension === '*' || entry.extension.startsWith('.') ? entry.extension : `.${entry.extension}`
  const used = new Set<string>(RESERVED_STEP_NAMES)
  const steps = entry['processing-templates'].map((ref, index) => {
    const base = toDnsLabel(ref.template) || `step-${index + 1}`
    let name = base
    for (let suffix = 2; used.has(name); suffix++) name = `${base.slice(0, 60)}-${suffix}`
    used.add(name)
    return { name, templateRef: { ...ref } }
  })
  return {
    name: entry.name,
    description: entry.name,
    match: { mimetypes: [entry.mimetype], extensions: [extension] },
    steps,
  }
}

function toDnsLabel(text: string): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '')
  return new RegExp(DNS_LABEL_PATTERN).test(label) ? label : ''
}

function normalize(raw: RawType): WorkflowType {
  const type: WorkflowType = {
    name: raw.name,
    description: raw.description,
    match: {
      mimetypes: unique(raw.match.mimetypes.map((mimetype) => mimetype.toLowerCase())),
      extensions: unique(raw.match.extensions.map((extension) => extension.toLowerCase())),
      ...(raw.match.contentPattern !== undefined ? { contentPattern: raw.match.contentPattern } : {}),
    },
    steps: raw.steps.map((step) => ({ name: step.name, templateRef: { ...step.templateRef } })),
    parameters: raw.parameters ?? DEFAULT_PARAMETERS,
    automatic: raw.automatic ?? false,
    maxFiles: raw.maxFiles ?? 1,
  }
  if (raw.activeDeadlineSeconds !== undefined) type.activeDeadlineSeconds = raw.activeDeadlineSeconds
  return type
}

function matchWarnings(raw: RawType, warn: (message: string) => CatalogWarning): CatalogWarning[] {
  const warnings: CatalogWarning[] = []
  const { mimetypes, extensions, contentPattern } = raw.match
  if (mimetypes.includes('*') && mimetypes.length > 1)
    warnings.push(warn("mimetypes lists '*' and others; '*' alone has the same effect"))
  if (extensions.includes('*') && extensions.length > 1)
    warnings.push(warn("extensions lists '*' and others; '*' alone has the same effect"))
  if (mimetypes.includes('*') && extensions.includes('*') && contentPattern === undefined) {
    warnings.push(
      warn('matches every file (mimetypes and extensions are both * and there is no contentPattern)'),
    )
  }
  return warnings
}

function schemaProblem(error: ErrorObject, problem: ProblemAt): CatalogProblem {
  const segments = pointerSegments(error.instancePath)
  if (error.keyword === 'additionalProperty' || error.keyword === 'additionalProperties') {
    const field = String((error.params as { additionalProperty: string }).additionalProperty)
    return problem(segments, `unknown field '${field}'`, field)
  }
  const hint = (error.parentSchema as { errorHint?: string } | undefined)?.errorHint
  if (hint && HINTED_KEYWORDS.has(error.keyword)) {
    const value = typeof error.data === 'string' ? ` ('${error.data}')` : ''
    return problem(segments, `${hint}${value}`)
  }
  return problem(segments, error.message ?? `fails ${error.keyword}`)
}

const HINTED_KEYWORDS = new Set(['pattern', 'maxLength', 'const', 'required', 'minItems'])

function dedupe(problems: CatalogProblem[]): CatalogProblem[] {
  const seen = new Set<string>()
  return problems.filter((problem) => {
    const key = formatProblem(problem)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

function digestOf(types: readonly WorkflowType[]): string {
  return createHash('sha256').update(JSON.stringify(types)).digest('hex')
}
