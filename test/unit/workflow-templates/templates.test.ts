// The shipped WorkflowTemplates against Argo's JSON Schema (from ARGO_REFERENCE_DIR), the catalog
// and the manifest builder's defaults, the step result standard and the run token rules.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import formatsPlugin from 'ajv-formats'
import { loadCatalogFile, type Catalog } from '../../../src/config/catalog.js'
import {
  DEFAULT_IO_TEMPLATES,
  PARAM,
  RUN_TOKEN_VOLUME,
  WORK_VOLUME,
} from '../../../src/catalog/manifest-contract.js'
import { RESULT_PATH } from '../../../src/sandbox/argo/index.js'
import { findTemplate, shippedTemplates, TEMPLATES_DIR, type ShippedFile } from './shipped.js'

const variants = [...shippedTemplates('volume'), ...shippedTemplates('artifacts')]
const allTemplates = variants.flatMap((file) =>
  file.document.spec.templates.map((template) => ({ file, template })),
)
const label = (file: ShippedFile, name: string) => `${file.variant}/${file.file}#${name}`

let catalog: Catalog
beforeAll(async () => {
  const loaded = await loadCatalogFile('config/catalog.yaml')
  if (!loaded.ok) throw new Error(`config/catalog.yaml does not load: ${JSON.stringify(loaded.errors)}`)
  catalog = loaded.catalog
})

const referenceDir = path.resolve(process.env.ARGO_REFERENCE_DIR ?? '../shared/argo')
const schemaPath = path.join(referenceDir, 'schema.json')
const schemaPresent = existsSync(schemaPath)
if (!schemaPresent)
  console.log(`Argo schema not found at ${schemaPath}: WorkflowTemplate schema tests skipped`)
const describeWithSchema = schemaPresent ? describe : describe.skip

describeWithSchema('shipped WorkflowTemplates against the Argo JSON Schema', () => {
  const validate = (() => {
    if (!schemaPresent) return undefined
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false })
    formatsPlugin.default(ajv)
    ajv.addFormat('uint64', /^\d+$/)
    ajv.addSchema({ ...schema, $id: 'argo-schema.json', oneOf: undefined }, 'argo-schema.json')
    return ajv.compile({
      $ref: 'argo-schema.json#/definitions/io.argoproj.workflow.v1alpha1.WorkflowTemplate',
    })
  })()

  test.each(variants.map((f) => [`${f.variant}/${f.file}`, f] as const))('%s is valid', (_, file) => {
    validate!(file.document)
    expect(validate!.errors ?? []).toEqual([])
  })

  test('the validator does reject a broken template', () => {
    const broken = structuredClone(variants[0]!.document) as unknown as { spec: { templates: object[] } }
    broken.spec.templates[0] = { name: 'x', inputs: { parameters: 'files' } }
    expect(validate!(broken)).toBe(false)
  })
})

describe('shipped WorkflowTemplates', () => {
  test('every file is one WorkflowTemplate named after its file, with unique template names', () => {
    expect(variants.length).toBeGreaterThanOrEqual(10)
    for (const { file, document } of variants) {
      expect(document.apiVersion).toBe('argoproj.io/v1alpha1')
      expect(document.kind).toBe('WorkflowTemplate')
      expect(`${document.metadata.name}.yaml`).toBe(file)
      const names = document.spec.templates.map((t) => t.name)
      expect(new Set(names).size).toBe(names.length)
    }
  })

  test.each(['volume', 'artifacts'] as const)(
    'every templateRef of the catalog and the builder defaults resolves (%s variant)',
    (variant) => {
      const files = variants.filter((f) => f.variant === variant)
      const refs = [
        ...Object.values(DEFAULT_IO_TEMPLATES),
        ...catalog.types.flatMap((type) => type.steps.map((step) => step.templateRef)),
      ]
      expect(refs.length).toBeGreaterThan(3)
      for (const ref of refs) {
        expect(ref.clusterScope ?? false).toBe(false)
        expect([ref.name, ref.template, findTemplate(files, ref)?.name]).toEqual([
          ref.name,
          ref.template,
          ref.template,
        ])
      }
    },
  )

  test('every processing step and the file steps declare the `result` output with a default', () => {
    const refs = [
      DEFAULT_IO_TEMPLATES.readFiles,
      DEFAULT_IO_TEMPLATES.writeFiles,
      ...catalog.types.flatMap((type) => type.steps.map((step) => step.templateRef)),
    ]
    for (const file of variants) {
      for (const ref of refs) {
        const template = findTemplate([file], ref)
        if (!template) continue
        const result = template.outputs?.parameters?.find((p) => p.name === 'result')
        expect([label(file, template.name), result?.valueFrom?.path]).toEqual([
          label(file, template.name),
          RESULT_PATH,
        ])
        expect(typeof result?.valueFrom?.default).toBe('string')
        // the default must not itself read as a result, so the step is judged by its phase
        expect(result?.valueFrom?.default).toBe('')
      }
    }
  })

  test('inputs a template needs are ones the builder passes, or have a default', () => {
    const passedToAll: string[] = [PARAM.recordId, PARAM.files, PARAM.parameters, PARAM.serviceUrl]
    for (const { file, template } of allTemplates) {
      const passed = new Set<string>(
        template.name === 'exit-handler' ? [PARAM.recordId, PARAM.workflowStatus] : passedToAll,
      )
      if (template.name === 'read-files' || template.name === 'write-files') passed.add(PARAM.runTokenSecret)
      if (file.variant === 'volume' && template.name !== 'read-files') passed.add(PARAM.inputPath)
      if (file.variant === 'volume' && template.name !== 'write-files' && template.name !== 'exit-handler')
        passed.add(PARAM.outputPath)
      for (const parameter of template.inputs?.parameters ?? []) {
        const satisfied = passed.has(parameter.name) || parameter.default !== undefined
        expect([label(file, template.name), parameter.name, satisfied]).toEqual([
          label(file, template.name),
          parameter.name,
          true,
        ])
        // an input `value` would override what the Workflow passes
        expect(parameter.value).toBeUndefined()
      }
    }
  })

  test('images are parameters with a pinned default', () => {
    for (const { file, template } of allTemplates) {
      expect([label(file, template.name), template.script?.image]).toEqual([
        label(file, template.name),
        '{{inputs.parameters.image}}',
      ])
      const image = template.inputs?.parameters?.find((p) => p.name === 'image')?.default ?? ''
      expect(image).toMatch(/^[a-z0-9./-]+:[\w.-]+$/)
      expect(image).not.toMatch(/:latest$/)
    }
  })

  test('scripts never contain Argo expressions: every value arrives through an environment variable', () => {
    for (const { template } of allTemplates) {
      expect(template.script?.source).toBeTruthy()
      expect(template.script!.source).not.toContain('{{')
      expect(template.script!.command).toHaveLength(1)
      for (const env of template.script!.env ?? []) {
        expect(env.valueFrom).toBeUndefined()
        expect(env.value).toMatch(/^\{\{(inputs\.parameters\.[a-z-]+|workflow\.name)\}\}$/)
      }
    }
  })

  test('the run token Secret is mounted read-only in read-files and write-files only', () => {
    for (const { file, template } of allTemplates) {
      const secretVolumes = (template.volumes ?? []).filter((volume) => volume.secret)
      const tokenMounts = (template.script?.volumeMounts ?? []).filter((m) => m.name === RUN_TOKEN_VOLUME)
      const isFileStep =
        file.document.metadata.name === DEFAULT_IO_TEMPLATES.readFiles.name &&
        (template.name === 'read-files' || template.name === 'write-files')
      if (!isFileStep) {
        expect([label(file, template.name), secretVolumes, tokenMounts]).toEqual([
          label(file, template.name),
          [],
          [],
        ])
        continue
      }
      expect(secretVolumes).toEqual([
        expect.objectContaining({
          name: RUN_TOKEN_VOLUME,
          secret: expect.objectContaining({ secretName: `{{inputs.parameters.${PARAM.runTokenSecret}}}` }),
        }),
      ])
      expect(tokenMounts).toEqual([expect.objectContaining({ readOnly: true })])
    }
  })

  test('no template holds a token: no secret env, no bearer literal, nothing token-shaped', () => {
    for (const { file, text } of variants) {
      expect(text).not.toMatch(/secretKeyRef/)
      expect(text).not.toMatch(/Bearer [A-Za-z0-9._~+/-]{8,}/)
      // long unbroken runs of letters and digits look like minted tokens or keys
      expect([file, text.match(/[A-Za-z0-9_-]{32,}/g)]).toEqual([file, null])
    }
  })

  test('steps read /input and write /output on the work volume in volume mode, as artifacts otherwise', () => {
    for (const { file, template } of allTemplates) {
      const mounts = (template.script?.volumeMounts ?? []).filter((m) => m.name === WORK_VOLUME)
      if (file.variant === 'artifacts') {
        expect(mounts).toEqual([])
        continue
      }
      for (const mount of mounts) {
        const parameter = mount.mountPath === '/input' ? PARAM.inputPath : PARAM.outputPath
        expect(mount.subPath).toBe(`{{inputs.parameters.${parameter}}}`)
        expect(mount.readOnly ?? false).toBe(mount.mountPath === '/input')
      }
    }
  })

  test('python steps carry the snippet helpers verbatim', () => {
    const snippet = readFileSync(path.join(TEMPLATES_DIR, 'snippets', 'step_result.py'), 'utf8')
    const block = (name: string) =>
      snippet.slice(snippet.indexOf(`# --- ${name} ---`), snippet.indexOf(`# --- end of ${name} ---`))
    const python = allTemplates.filter(({ template }) => template.script?.command[0] === 'python3')
    expect(python.length).toBeGreaterThanOrEqual(6)
    for (const { file, template } of python) {
      expect([
        label(file, template.name),
        template.script!.source.includes(block('step result helper')),
      ]).toEqual([label(file, template.name), true])
      if (!['read-files', 'write-files'].includes(template.name))
        expect(template.script!.source).toContain(block('step files helper'))
    }
  })

  test('shell steps carry the shell snippet verbatim', () => {
    const snippet = readFileSync(path.join(TEMPLATES_DIR, 'snippets', 'step-result.sh'), 'utf8')
    const block = snippet.slice(
      snippet.indexOf('# --- step result helper ---'),
      snippet.indexOf('# --- end of step result helper ---'),
    )
    const gromacs = allTemplates.filter(({ file }) => file.document.metadata.name === 'compchem-gromacs')
    expect(gromacs.length).toBe(4)
    for (const { template } of gromacs) expect(template.script!.source).toContain(block)
  })
})
