// Every built manifest must be a valid Argo Workflow per Argo's own JSON Schema (read from
// ARGO_REFERENCE_DIR, never copied into the repository).
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import formatsPlugin from 'ajv-formats'
import { buildWorkflowManifest } from '../../../src/catalog/manifest.js'
import { manifestInput } from './manifest-fixtures.js'

const referenceDir = path.resolve(process.env.ARGO_REFERENCE_DIR ?? '../shared/argo')
const schemaPath = path.join(referenceDir, 'schema.json')
const present = existsSync(schemaPath)
if (!present) console.log(`Argo schema not found at ${schemaPath}: manifest schema tests skipped`)
const describeWithSchema = present ? describe : describe.skip

function workflowValidator() {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false })
  // ajv-formats is CommonJS: under nodenext its function is the default export's .default.
  formatsPlugin.default(ajv)
  ajv.addFormat('uint64', /^\d+$/)
  const id = 'argo-schema.json'
  ajv.addSchema({ ...schema, $id: id, oneOf: undefined }, id)
  return ajv.compile({ $ref: `${id}#/definitions/io.argoproj.workflow.v1alpha1.Workflow` })
}

describeWithSchema('built manifests against the Argo JSON Schema', () => {
  const validate = present ? workflowValidator() : undefined

  function expectValid(manifest: object) {
    const ok = validate!(manifest)
    expect(validate!.errors ?? []).toEqual([])
    expect(ok).toBe(true)
  }

  test('volume mode is a valid Workflow', () => {
    expectValid(
      buildWorkflowManifest(
        manifestInput({ transfer: { mode: 'volume', size: '2Gi', storageClass: 'fast' } }),
      ),
    )
  })

  test('artifacts mode is a valid Workflow', () => {
    const transfer = {
      mode: 'artifacts' as const,
      artifactRepositoryRef: { configMap: 'artifact-repositories', key: 's3' },
    }
    expectValid(buildWorkflowManifest(manifestInput({ transfer })))
  })

  test('optional settings (ttl, service account, no exit handler) stay valid', () => {
    const manifest = buildWorkflowManifest(
      manifestInput({
        exitHandlerTemplate: null,
        ttlStrategy: { secondsAfterCompletion: 86400 },
        serviceAccountName: 'compchem-runner',
        podGC: { strategy: 'OnPodCompletion', deleteDelayDuration: '5m' },
        suspend: false,
      }),
    )
    expectValid(manifest)
  })

  test('the validator does catch an invalid Workflow', () => {
    const manifest = buildWorkflowManifest(manifestInput()) as unknown as { spec: Record<string, unknown> }
    manifest.spec.activeDeadlineSeconds = 'soon'
    expect(validate!(manifest)).toBe(false)
    const nested = buildWorkflowManifest(manifestInput()) as unknown as {
      spec: { templates: { dag: { tasks: Record<string, unknown>[] } }[] }
    }
    nested.spec.templates[0]!.dag.tasks[1]!.dependencies = 'read-files'
    expect(validate!(nested)).toBe(false)
  })
})
