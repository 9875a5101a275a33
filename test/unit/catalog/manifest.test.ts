import { buildWorkflowManifest, inertJson, ManifestInputError } from '../../../src/catalog/manifest.js'
import { labelSafe, isLabelValue } from '../../../src/catalog/manifest-labels.js'
import { OUTCOME_FINALIZER, PARAM } from '../../../src/catalog/manifest-contract.js'
import { recordIdLabelValue } from '../../../src/argo/labels.js'
import * as argoLabels from '../../../src/argo/labels.js'
import * as contract from '../../../src/catalog/manifest-contract.js'
import { manifestInput } from './manifest-fixtures.js'

type Task = {
  name: string
  templateRef: { name: string; template: string }
  dependencies?: string[]
  arguments: { parameters: { name: string; value: string }[]; artifacts?: { name: string; from: string }[] }
}

function tasksOf(manifest: ReturnType<typeof buildWorkflowManifest>, template = 'main'): Task[] {
  return manifest.spec.templates.find((t) => t.name === template)!.dag.tasks as Task[]
}

function param(task: Task, name: string): string | undefined {
  return task.arguments.parameters.find((p) => p.name === name)?.value
}

describe('buildWorkflowManifest', () => {
  test('metadata carries the labels, annotations and finalizer the service relies on', () => {
    const manifest = buildWorkflowManifest(manifestInput())
    expect(manifest).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        name: 'gaussian-ew6jd-p8175-3',
        namespace: 'compchem',
        labels: {
          'app.kubernetes.io/managed-by': 'compchem-fileprocessor',
          'compchem.cz/record-id': 'ew6jd-p8175',
          'compchem.cz/workflow-type': 'gaussian',
          'compchem.cz/seq': '3',
        },
        annotations: {
          'compchem.cz/files': JSON.stringify(['water-dimer.log', 'md/topol ö.tpr']),
          'compchem.cz/record-id': 'ew6jd-p8175',
        },
        finalizers: [OUTCOME_FINALIZER],
      },
    })
    expect(manifest.spec).toMatchObject({ entrypoint: 'main', suspend: true, activeDeadlineSeconds: 3600 })
  })

  test('the DAG chains read-files, each step in order, then write-files, all via templateRef', () => {
    const tasks = tasksOf(buildWorkflowManifest(manifestInput()))
    expect(tasks.map((t) => t.name)).toEqual(['read-files', 'parse', 'thumbnail', 'write-files'])
    expect(tasks.map((t) => t.dependencies)).toEqual([undefined, ['read-files'], ['parse'], ['thumbnail']])
    expect(tasks.map((t) => t.templateRef)).toEqual([
      { name: 'compchem-fileprocessor-io', template: 'read-files' },
      { name: 'gaussian-tools', template: 'parse-log' },
      { name: 'molecule-render', template: 'render', clusterScope: true },
      { name: 'compchem-fileprocessor-io', template: 'write-files' },
    ])
    for (const task of tasks) {
      expect(task).not.toHaveProperty('template')
      expect(param(task, PARAM.recordId)).toBe('{{workflow.parameters.record-id}}')
      expect(param(task, PARAM.parameters)).toBe('{{workflow.parameters.parameters}}')
    }
  })

  test('io templates are configurable and only they get the run token Secret name', () => {
    const manifest = buildWorkflowManifest(
      manifestInput({
        readFilesTemplate: { name: 'my-io', template: 'fetch' },
        writeFilesTemplate: { name: 'my-io', template: 'store' },
        exitHandlerTemplate: { name: 'my-io', template: 'cleanup', clusterScope: true },
      }),
    )
    const tasks = tasksOf(manifest)
    expect(tasks[0]!.templateRef).toEqual({ name: 'my-io', template: 'fetch' })
    expect(tasks[3]!.templateRef).toEqual({ name: 'my-io', template: 'store' })
    expect(tasks.map((t) => param(t, PARAM.runTokenSecret) !== undefined)).toEqual([true, false, false, true])
    expect(manifest.spec.onExit).toBe('exit-handler')
    const [exit] = tasksOf(manifest, 'exit-handler')
    expect(exit!.templateRef).toEqual({ name: 'my-io', template: 'cleanup', clusterScope: true })
    expect(param(exit!, PARAM.workflowStatus)).toBe('{{workflow.status}}')
  })

  test('without an exit handler there is no onExit', () => {
    const manifest = buildWorkflowManifest(manifestInput({ exitHandlerTemplate: null }))
    expect(manifest.spec.onExit).toBeUndefined()
    expect(manifest.spec.templates.map((t) => t.name)).toEqual(['main'])
  })

  test('volume mode: one claim template, each task reads the previous task directory', () => {
    const manifest = buildWorkflowManifest(
      manifestInput({ transfer: { mode: 'volume', size: '5Gi', storageClass: 'ceph' } }),
    )
    expect(manifest.spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'workdir' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '5Gi' } },
          storageClassName: 'ceph',
        },
      },
    ])
    expect(manifest.spec.artifactRepositoryRef).toBeUndefined()
    const tasks = tasksOf(manifest)
    expect(tasks.map((t) => [param(t, PARAM.inputPath), param(t, PARAM.outputPath)])).toEqual([
      [undefined, 'read-files'],
      ['read-files', 'parse'],
      ['parse', 'thumbnail'],
      ['thumbnail', undefined],
    ])
    expect(tasks.every((t) => t.arguments.artifacts === undefined)).toBe(true)
  })

  test('artifacts mode: artifact passing along the chain and the repository ref, no claim', () => {
    const artifactRepositoryRef = { configMap: 'artifact-repositories', key: 'minio' }
    const manifest = buildWorkflowManifest(
      manifestInput({ transfer: { mode: 'artifacts', artifactRepositoryRef } }),
    )
    expect(manifest.spec.artifactRepositoryRef).toEqual(artifactRepositoryRef)
    expect(manifest.spec.volumeClaimTemplates).toBeUndefined()
    const tasks = tasksOf(manifest)
    expect(tasks.map((t) => t.arguments.artifacts)).toEqual([
      undefined,
      [{ name: 'input', from: '{{tasks.read-files.outputs.artifacts.output}}' }],
      [{ name: 'input', from: '{{tasks.parse.outputs.artifacts.output}}' }],
      [{ name: 'input', from: '{{tasks.thumbnail.outputs.artifacts.output}}' }],
    ])
    expect(tasks.some((t) => param(t, PARAM.inputPath) !== undefined)).toBe(false)
  })

  test('the run token Secret is referenced by name only', () => {
    const manifest = buildWorkflowManifest(manifestInput({ runTokenSecretName: 'run-1-token' }))
    expect(manifest.spec.volumes).toEqual([{ name: 'run-token', secret: { secretName: 'run-1-token' } }])
  })

  test('user parameters with shell metacharacters appear only as the parameters value', () => {
    const hostile = 'x\'; rm -rf / #$(reboot)`id` && echo "{{workflow.parameters.run-token-secret}}" | sh'
    const manifest = buildWorkflowManifest(
      manifestInput({ parameters: { method: hostile, nested: { cmd: hostile } } }),
    )
    const parameters = manifest.spec.arguments.parameters
    const userParam = parameters.find((p) => p.name === 'parameters')!
    expect(JSON.parse(userParam.value)).toEqual({ method: hostile, nested: { cmd: hostile } })
    expect(userParam.value).not.toContain('{{')
    // The raw text appears nowhere else in the manifest.
    const elsewhere = JSON.stringify({ ...manifest, spec: { ...manifest.spec, arguments: undefined } })
    expect(elsewhere).not.toContain('rm -rf')
    expect(elsewhere).not.toContain('reboot')
  })

  test('file keys travel as JSON in the files parameter with their metadata', () => {
    const files = [{ key: 'a {{b}}.log', mimetype: 'text/plain', checksum: null, size: null }]
    const manifest = buildWorkflowManifest(manifestInput({ files }))
    const value = manifest.spec.arguments.parameters.find((p) => p.name === 'files')!.value
    expect(JSON.parse(value)).toEqual(files)
    expect(value).not.toContain('{{')
  })

  test('odd record ids give valid label values and keep the exact id in an annotation', () => {
    const odd = ['ABC/def é', '-leading-dash-', '..', 'x'.repeat(100), 'weird id with spaces!', '中文记录']
    const seen = new Set<string>()
    for (const recordId of odd) {
      const manifest = buildWorkflowManifest(manifestInput({ recordId }))
      const label = manifest.metadata.labels['compchem.cz/record-id']!
      expect(isLabelValue(label)).toBe(true)
      expect(label.length).toBeGreaterThan(0)
      expect(manifest.metadata.annotations['compchem.cz/record-id']).toBe(recordId)
      expect(manifest.spec.arguments.parameters.find((p) => p.name === 'record-id')!.value).toBe(recordId)
      seen.add(label)
    }
    expect(seen.size).toBe(odd.length)
  })

  test('the label scheme matches the argo module (the informer selects by it)', () => {
    for (const id of ['ew6jd-p8175', 'ABC/def é', '_x_', 'y'.repeat(80), '中文']) {
      expect(labelSafe(id)).toBe(recordIdLabelValue(id))
    }
    for (const key of [
      'MANAGED_BY_LABEL',
      'MANAGED_BY_VALUE',
      'RECORD_ID_LABEL',
      'WORKFLOW_TYPE_LABEL',
      'SEQ_LABEL',
      'FILES_ANNOTATION',
      'RECORD_ID_ANNOTATION',
      'OUTCOME_FINALIZER',
    ] as const) {
      expect(contract[key]).toBe(argoLabels[key])
    }
  })

  test('podGC defaults to OnWorkflowSuccess; ttl, service account and finalizer follow settings', () => {
    expect(buildWorkflowManifest(manifestInput()).spec.podGC).toEqual({ strategy: 'OnWorkflowSuccess' })
    const manifest = buildWorkflowManifest(
      manifestInput({
        podGC: null,
        ttlStrategy: { secondsAfterSuccess: 60 },
        serviceAccountName: 'runner',
        finalizer: 'example.org/keep',
        suspend: false,
        type: { ...manifestInput().type, activeDeadlineSeconds: undefined },
        activeDeadlineSeconds: 7200,
      }),
    )
    expect(manifest.spec.podGC).toBeUndefined()
    expect(manifest.spec).toMatchObject({
      ttlStrategy: { secondsAfterSuccess: 60 },
      serviceAccountName: 'runner',
      activeDeadlineSeconds: 7200,
    })
    expect(manifest.spec.suspend).toBeUndefined()
    expect(manifest.metadata.finalizers).toEqual(['example.org/keep'])
  })

  test.each([
    ['a name that is not DNS-1123', { name: 'Gaussian_Run' }],
    ['a name longer than 63', { name: 'a'.repeat(64) }],
    ['seq 0', { seq: 0 }],
    ['no files', { files: [] }],
    [
      'duplicate files',
      {
        files: [
          { key: 'a', mimetype: null, checksum: null, size: null },
          { key: 'a', mimetype: null, checksum: null, size: null },
        ],
      },
    ],
    ['a type without steps', { type: { name: 'empty', steps: [] } }],
    [
      'a reserved step name',
      { type: { name: 't', steps: [{ name: 'read-files', templateRef: { name: 'x', template: 'y' } }] } },
    ],
    [
      'a step name starting with a digit',
      { type: { name: 't', steps: [{ name: '1st', templateRef: { name: 'x', template: 'y' } }] } },
    ],
    ['a template expression in the record id', { recordId: 'abc{{workflow.name}}' }],
  ])('refuses %s', (_what, overrides) => {
    expect(() => buildWorkflowManifest(manifestInput(overrides))).toThrow(ManifestInputError)
  })

  test('no token-like value can be placed in the manifest: only the Secret name is an input', () => {
    const manifest = buildWorkflowManifest(manifestInput())
    const text = JSON.stringify(manifest)
    expect(text).toContain('gaussian-ew6jd-p8175-3-run-token')
    expect(text).not.toMatch(/authorization|bearer/i)
  })
})

describe('inertJson', () => {
  test('round-trips any value while never containing {{', () => {
    const values = [{ a: '{{x}}', b: ['{{{', '}}}', '{{=sprig.env("HOME")}}'] }, '{{', { '{{k}}': 1 }]
    for (const value of values) {
      const text = inertJson(value)
      expect(text).not.toContain('{{')
      expect(JSON.parse(text)).toEqual(value)
    }
  })
})
