import { readFileSync } from 'node:fs'
import {
  formatProblem,
  parametersValidator,
  parseCatalog,
  loadCatalogFile,
  type CatalogResult,
} from '../../../src/config/index.js'

const shippedCatalogPath = new URL('../../../config/catalog.yaml', import.meta.url).pathname

function errorsOf(result: CatalogResult): string[] {
  if (result.ok) throw new Error('catalog was accepted')
  return result.errors.map(formatProblem)
}

const validType = `
  - name: gaussian-log
    description: Gaussian output
    match:
      mimetypes: [application/octet-stream]
      extensions: [.log]
    steps:
      - name: summarize
        templateRef: { name: compchem-gaussian, template: summarize }
`

describe('the shipped catalog', () => {
  test('is valid and has the compchem types', async () => {
    const result = await loadCatalogFile(shippedCatalogPath)
    if (!result.ok) throw new Error(result.errors.map(formatProblem).join('\n'))
    expect(result.warnings).toEqual([])
    expect(result.catalog.types.map((type) => type.name)).toEqual([
      'gaussian-log',
      'orca-out',
      'gromacs-tpr',
      'xyz-structure',
      'pdb-structure',
    ])
    expect(result.catalog.format).toBe('current')
  })

  test('the gromacs parameters enforce bounds on nsteps', async () => {
    const result = await loadCatalogFile(shippedCatalogPath)
    if (!result.ok) throw new Error('invalid')
    const gromacs = result.catalog.types.find((type) => type.name === 'gromacs-tpr')!
    const validate = parametersValidator(gromacs)
    expect(validate({ nsteps: 500 })).toBe(true)
    expect(validate({ nsteps: 0 })).toBe(false)
    expect(validate({ nsteps: 'many' })).toBe(false)
    expect(validate({ unknown: 1 })).toBe(false)
  })
})

describe('parseCatalog', () => {
  test('applies defaults and lowercases match lists', () => {
    const result = parseCatalog(
      `workflows:
  - name: t
    description: d
    match: { mimetypes: [Text/Plain], extensions: [.LOG, .Tar.GZ] }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
`,
      'c.yaml',
    )
    if (!result.ok) throw new Error(errorsOf(result).join('\n'))
    expect(result.catalog.types[0]).toEqual({
      name: 't',
      description: 'd',
      match: { mimetypes: ['text/plain'], extensions: ['.log', '.tar.gz'] },
      steps: [{ name: 's', templateRef: { name: 'wt', template: 'main' } }],
      parameters: { type: 'object', additionalProperties: false, properties: {} },
      automatic: false,
      maxFiles: 1,
    })
    expect(result.catalog.digest).toMatch(/^[0-9a-f]{64}$/)
    // Shared by every request until the next reload, so nobody may change it in place.
    expect(Object.isFrozen(result.catalog.types[0]?.match.extensions)).toBe(true)
  })

  test('a step without templateRef is reported with its line and column', () => {
    const text = `workflows:
${validType}
  - name: orca-out
    description: ORCA output
    match: { mimetypes: ['*'], extensions: [.out] }
    steps:
      - name: summarize
`
    expect(errorsOf(parseCatalog(text, 'catalog.yaml'))).toEqual([
      "catalog.yaml:16:9: workflows[1].steps[0]: must have required property 'templateRef'",
    ])
  })

  test('an unknown field is reported at the field', () => {
    const text = `workflows:\n${validType}    colour: blue\n`
    expect(errorsOf(parseCatalog(text, 'c.yaml'))).toEqual([
      "c.yaml:11:5: workflows[0].colour: unknown field 'colour'",
    ])
  })

  test('unknown fields are refused at every level', () => {
    const text = `workflows:
  - name: t
    description: d
    match: { mimetypes: ['*'], extensions: [.x], glob: '*.x' }
    steps: [{ name: s, image: alpine, templateRef: { name: wt, template: main, version: 2 } }]
extra: true
`
    const errors = errorsOf(parseCatalog(text, 'c.yaml'))
    expect(errors).toEqual([
      "c.yaml:4:50: workflows[0].match.glob: unknown field 'glob'",
      "c.yaml:5:24: workflows[0].steps[0].image: unknown field 'image'",
      "c.yaml:5:80: workflows[0].steps[0].templateRef.version: unknown field 'version'",
      "c.yaml:6:1: extra: unknown field 'extra'",
    ])
  })

  test('duplicate type names point at the second one and name the first line', () => {
    const text = `workflows:\n${validType}${validType}`
    expect(errorsOf(parseCatalog(text, 'c.yaml'))).toEqual([
      "c.yaml:12:11: workflows[1].name: duplicate workflow type name 'gaussian-log' (first defined on line 3)",
    ])
  })

  test('a regex that does not compile is reported', () => {
    const text =
      `workflows:\n${validType}    match: { mimetypes: ['*'], extensions: [.log], contentPattern: '(Gaussian' }\n`.replace(
        /    match:\n.*\n.*\n/,
        '',
      )
    const errors = errorsOf(parseCatalog(text, 'c.yaml'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      /^c\.yaml:\d+:\d+: workflows\[0\]\.match\.contentPattern: is not a valid regular expression/,
    )
  })

  test.each([
    ['log', 'must be an extension starting with a dot'],
    ['.tar/gz', 'must be an extension starting with a dot'],
    ['. log', 'must be an extension starting with a dot'],
    ['..log', 'must be an extension starting with a dot'],
    ['*.log', 'must be an extension starting with a dot'],
  ])('the extension %j is refused', (extension, message) => {
    const text = `workflows:
  - name: t
    description: d
    match: { mimetypes: ['*'], extensions: [${JSON.stringify(extension)}] }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
`
    const errors = errorsOf(parseCatalog(text, 'c.yaml'))
    expect(errors).toEqual([
      expect.stringContaining(`c.yaml:4:45: workflows[0].match.extensions[0]: ${message}`),
    ])
  })

  test.each(['.log', '.tar.gz', '*', '.LOG', '.out2'])('the extension %j is accepted', (extension) => {
    const text = `workflows:
  - name: t
    description: d
    match: { mimetypes: ['*'], extensions: ['${extension}'], contentPattern: x }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
`
    expect(parseCatalog(text, 'c.yaml').ok).toBe(true)
  })

  test('bad names, empty lists and bad parameter schemas are all reported at once', () => {
    const text = `workflows:
  - name: Gaussian_Log
    description: d
    match: { mimetypes: [], extensions: [.log] }
    steps: []
    parameters: { type: object, properties: { n: { type: integr } } }
    maxFiles: 0
`
    const errors = errorsOf(parseCatalog(text, 'c.yaml'))
    expect(errors).toEqual([
      expect.stringMatching(/^c\.yaml:2:11: workflows\[0\]\.name: must be a DNS-1123 label.*'Gaussian_Log'/),
      "c.yaml:4:25: workflows[0].match.mimetypes: must list at least one MIME type (or '*')",
      'c.yaml:5:12: workflows[0].steps: must list at least one step',
      expect.stringMatching(/^c\.yaml:6:17: workflows\[0\]\.parameters: is not a valid JSON Schema/),
      'c.yaml:7:15: workflows[0].maxFiles: must be >= 1',
    ])
  })

  test('a misspelt keyword or unknown format in the parameter schema is refused', () => {
    const misspelt = `workflows:\n${validType}    parameters: { type: object, properties: { n: { type: integer, minimun: 1 } } }\n`
    expect(errorsOf(parseCatalog(misspelt, 'c.yaml'))).toEqual([
      expect.stringMatching(
        /^c\.yaml:11:17: workflows\[0\]\.parameters: is not a valid JSON Schema: .*minimun/,
      ),
    ])
    const format = `workflows:\n${validType}    parameters: { type: object, properties: { d: { type: string, format: dait } } }\n`
    expect(errorsOf(parseCatalog(format, 'c.yaml'))).toEqual([expect.stringMatching(/unknown format "dait"/)])
    const known = `workflows:\n${validType}    parameters: { type: object, properties: { d: { type: string, format: date, description: x, default: '2024-01-01' } } }\n`
    expect(parseCatalog(known, 'c.yaml').ok).toBe(true)
  })

  test('parameters must be an object schema', () => {
    const text = `workflows:\n${validType}    parameters: { type: array }\n`
    expect(errorsOf(parseCatalog(text, 'c.yaml'))).toEqual([
      expect.stringMatching(
        /^c\.yaml:11:25: workflows\[0\]\.parameters\.type: must be a JSON Schema with type: object/,
      ),
    ])
  })

  test('reserved and duplicate step names are refused', () => {
    const text = `workflows:
  - name: t
    description: d
    match: { mimetypes: ['*'], extensions: [.x] }
    steps:
      - { name: read-files, templateRef: { name: wt, template: a } }
      - { name: s, templateRef: { name: wt, template: b } }
      - { name: s, templateRef: { name: wt, template: c } }
`
    expect(errorsOf(parseCatalog(text, 'c.yaml'))).toEqual([
      "c.yaml:6:17: workflows[0].steps[0].name: step name 'read-files' is reserved for the service's own steps; rename the step",
      "c.yaml:8:17: workflows[0].steps[2].name: duplicate step name 's' in this type",
    ])
  })

  test('YAML syntax errors and duplicate keys are reported with their position', () => {
    expect(errorsOf(parseCatalog('workflows: [\n', 'c.yaml'))[0]).toMatch(/^c\.yaml:\d+:\d+: \(yaml\): /)
    const duplicated = errorsOf(parseCatalog(`workflows:\n  - name: a\n    name: b\n`, 'c.yaml'))
    expect(duplicated[0]).toMatch(/^c\.yaml:3:5: \(yaml\): Map keys must be unique/)
  })

  test('a file without workflows is refused, an empty list only warned about', () => {
    expect(errorsOf(parseCatalog('{}', 'c.yaml'))).toEqual([
      "c.yaml:1:1: (top level): must have required property 'workflows'",
    ])
    const empty = parseCatalog('workflows: []\n', 'c.yaml')
    expect(empty.ok && empty.warnings.map(formatProblem)).toEqual([
      'c.yaml:1:12: workflows: the catalog has no workflow types; no file will match',
    ])
  })

  test('a type matching every file is warned about', () => {
    const text = `workflows:
  - name: t
    description: d
    match: { mimetypes: ['*'], extensions: ['*'] }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
`
    const result = parseCatalog(text, 'c.yaml')
    expect(result.ok && result.warnings.map((warning) => warning.message)).toEqual([
      'matches every file (mimetypes and extensions are both * and there is no contentPattern)',
    ])
  })
})

describe('the original service format', () => {
  const original = `workflows:
  - name: gaussian
    mimetype: application/octet-stream
    extension: log
    processing-templates:
      - name: compchem-gaussian
        template: summarize
      - name: compchem-common
        template: summarize
      - name: compchem-common
        template: Write-Files
  - name: structure
    mimetype: chemical/x-xyz
    extension: .xyz
    processing-templates:
      - { name: compchem-structures, template: render-xyz }
`

  test('is converted: lists, steps named after templates, deduplicated and unreserved', () => {
    const result = parseCatalog(original, 'old.yaml')
    if (!result.ok) throw new Error(errorsOf(result).join('\n'))
    expect(result.catalog.format).toBe('original')
    expect(result.warnings.map(formatProblem)).toEqual([
      'old.yaml:2:3: workflows: original catalog format converted; see docs/catalog.md for the current format',
    ])
    const [gaussian, structure] = result.catalog.types
    expect(gaussian).toEqual({
      name: 'gaussian',
      description: 'gaussian',
      match: { mimetypes: ['application/octet-stream'], extensions: ['.log'] },
      steps: [
        { name: 'summarize', templateRef: { name: 'compchem-gaussian', template: 'summarize' } },
        { name: 'summarize-2', templateRef: { name: 'compchem-common', template: 'summarize' } },
        { name: 'write-files-2', templateRef: { name: 'compchem-common', template: 'Write-Files' } },
      ],
      parameters: { type: 'object', additionalProperties: false, properties: {} },
      automatic: false,
      maxFiles: 1,
    })
    expect(structure?.match.extensions).toEqual(['.xyz'])
  })

  test('errors in the original format are reported with their line', () => {
    const text = `workflows:
  - name: gaussian
    mimetype: application/octet-stream
    extension: log
    processing-templates:
      - name: compchem-gaussian
`
    expect(errorsOf(parseCatalog(text, 'old.yaml'))).toEqual([
      "old.yaml:6:9: workflows[0].processing-templates[0]: must have required property 'template'",
    ])
  })

  test('the sample file in the docs is the original format', () => {
    const docs = readFileSync(new URL('../../../docs/catalog.md', import.meta.url), 'utf8')
    const block = /```yaml\n(workflows:\n  - name: gaussian\n    mimetype:[\s\S]*?)```/.exec(docs)?.[1]
    expect(block).toBeDefined()
    expect(parseCatalog(block ?? '', 'docs').ok).toBe(true)
  })
})
