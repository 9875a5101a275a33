// JSON Schemas of the catalog file itself: the current format and the original service's format.
// `errorHint` is an annotation shown instead of ajv's "must match pattern" text.

export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
/** Argo template names: letters, digits and dashes. */
export const TEMPLATE_NAME_PATTERN = '^[a-zA-Z0-9][-a-zA-Z0-9]*$'
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'
/** `type/subtype`, `type/*` or `*`, matched case-insensitively. */
export const MIMETYPE_PATTERN =
  '^(\\*|[A-Za-z0-9][-A-Za-z0-9!#$&^_.+]*/(\\*|[A-Za-z0-9][-A-Za-z0-9!#$&^_.+]*))$'
/** `.log`, `.tar.gz` or `*`: dot-separated parts without slashes, spaces or wildcards. */
export const EXTENSION_PATTERN = '^(\\*|(\\.[^./\\\\\\s*?]+)+)$'

const typeName = {
  type: 'string',
  pattern: DNS_LABEL_PATTERN,
  maxLength: 63,
  errorHint:
    'must be a DNS-1123 label: at most 63 lowercase letters, digits and dashes, not starting or ending with a dash',
}

const stepName = { ...typeName }

const templateRef = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'template'],
  properties: {
    name: {
      type: 'string',
      pattern: DNS_SUBDOMAIN_PATTERN,
      maxLength: 253,
      errorHint: 'must be the name of a WorkflowTemplate: lowercase letters, digits, dashes and dots',
    },
    template: {
      type: 'string',
      pattern: TEMPLATE_NAME_PATTERN,
      maxLength: 128,
      errorHint: 'must be the name of a template inside the WorkflowTemplate: letters, digits and dashes',
    },
    clusterScope: { type: 'boolean' },
  },
}

const mimetypes = {
  type: 'array',
  minItems: 1,
  errorHint: "must list at least one MIME type (or '*')",
  items: {
    type: 'string',
    pattern: MIMETYPE_PATTERN,
    errorHint: 'must be a MIME type such as text/plain, a wildcard such as chemical/*, or *',
  },
}

const extensions = {
  type: 'array',
  minItems: 1,
  errorHint: "must list at least one extension (or '*')",
  items: {
    type: 'string',
    pattern: EXTENSION_PATTERN,
    errorHint: 'must be an extension starting with a dot, such as .log or .tar.gz, or *',
  },
}

const parametersHint = "must be a JSON Schema with type: object (the user's parameters are an object)"

export const catalogSchema = {
  $id: 'https://compchem.cz/schemas/fileprocessor/catalog.json',
  type: 'object',
  additionalProperties: false,
  required: ['workflows'],
  properties: {
    workflows: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'description', 'match', 'steps'],
        properties: {
          name: typeName,
          description: { type: 'string', minLength: 1 },
          match: {
            type: 'object',
            additionalProperties: false,
            required: ['mimetypes', 'extensions'],
            properties: {
              mimetypes,
              extensions,
              contentPattern: { type: 'string', minLength: 1 },
            },
          },
          steps: {
            type: 'array',
            minItems: 1,
            errorHint: 'must list at least one step',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'templateRef'],
              properties: { name: stepName, templateRef },
            },
          },
          parameters: {
            type: 'object',
            required: ['type'],
            properties: { type: { const: 'object', errorHint: parametersHint } },
            errorHint: parametersHint,
          },
          automatic: { type: 'boolean' },
          maxFiles: { type: 'integer', minimum: 1 },
          activeDeadlineSeconds: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
} as const

/** The original service's catalog: `workflows: [{name, mimetype, extension, processing-templates}]`. */
export const originalCatalogSchema = {
  $id: 'https://compchem.cz/schemas/fileprocessor/catalog-original.json',
  type: 'object',
  additionalProperties: false,
  required: ['workflows'],
  properties: {
    workflows: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'mimetype', 'extension', 'processing-templates'],
        properties: {
          name: typeName,
          mimetype: mimetypes.items,
          extension: {
            type: 'string',
            pattern: '^(\\*|\\.?[^./\\\\\\s*?]+(\\.[^./\\\\\\s*?]+)*)$',
            errorHint: 'must be an extension such as log, .log or tar.gz, or *',
          },
          'processing-templates': {
            type: 'array',
            minItems: 1,
            errorHint: 'must list at least one processing template',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'template'],
              properties: templateRef.properties,
            },
          },
        },
      },
    },
  },
} as const
