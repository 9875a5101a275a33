// Builds the Argo Workflow the service submits for one run (DESIGN.md "The Workflow the service
// submits"): a DAG read-files → processing steps in order → write-files, every task a templateRef,
// plus an exit handler. Whatever the user sent travels only as parameter values; the run token
// reaches pods only through the Secret named here, never through the manifest.
import {
  DEFAULT_IO_TEMPLATES,
  EXIT_TASK,
  EXIT_TEMPLATE,
  FILES_ANNOTATION,
  INPUT_ARTIFACT,
  MAIN_TEMPLATE,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  OUTCOME_FINALIZER,
  OUTPUT_ARTIFACT,
  PARAM,
  READ_FILES_TASK,
  RECORD_ID_ANNOTATION,
  RECORD_ID_LABEL,
  RUN_TOKEN_VOLUME,
  SEQ_LABEL,
  WORKFLOW_TYPE_LABEL,
  WORK_VOLUME,
  WRITE_FILES_TASK,
  type TemplateReference,
} from './manifest-contract.js'
import { isWorkflowName, labelSafe } from './manifest-labels.js'

export type FileTransfer =
  | { mode: 'volume'; size: string; storageClass?: string; accessModes?: string[] }
  /** Without a ref, Argo uses the namespace's default artifact repository. */
  | { mode: 'artifacts'; artifactRepositoryRef?: { configMap?: string; key?: string } }

export interface ManifestStep {
  name: string
  templateRef: TemplateReference
}

export interface ManifestFile {
  key: string
  mimetype: string | null
  checksum: string | null
  size: number | null
}

export interface PodGcSetting {
  strategy: 'OnPodCompletion' | 'OnPodSuccess' | 'OnWorkflowCompletion' | 'OnWorkflowSuccess'
  deleteDelayDuration?: string
}

export interface TtlStrategySetting {
  secondsAfterCompletion?: number
  secondsAfterSuccess?: number
  secondsAfterFailure?: number
}

export interface WorkflowManifestInput {
  /** `<type>-<recordId>-<seq>`, already DNS-1123 and at most 63 characters (src/argo names it). */
  name: string
  namespace: string
  recordId: string
  type: { name: string; steps: ManifestStep[]; activeDeadlineSeconds?: number }
  seq: number
  files: ManifestFile[]
  /** The user's parameters, already validated against the type's schema. */
  parameters: Record<string, unknown>
  /** Base URL of the service's file proxy for workflow pods. */
  serviceUrl: string
  /** Name of the Secret (created after the Workflow, owned by it) holding the run token. */
  runTokenSecretName: string
  transfer: FileTransfer
  readFilesTemplate?: TemplateReference
  writeFilesTemplate?: TemplateReference
  /** null: no exit handler. */
  exitHandlerTemplate?: TemplateReference | null
  /** Create suspended, so the run token Secret can be created with the Workflow's uid, then resume. */
  suspend: boolean
  /** Default compchem.cz/outcome. */
  finalizer?: string
  /** Used when the type sets none; unset means no deadline. */
  activeDeadlineSeconds?: number
  /** Default OnWorkflowSuccess: pods of failed runs stay for their logs; null leaves podGC unset. */
  podGC?: PodGcSetting | null
  ttlStrategy?: TtlStrategySetting
  serviceAccountName?: string
}

interface Parameter {
  name: string
  value: string
}

interface DagTask {
  name: string
  templateRef: TemplateReference
  dependencies?: string[]
  arguments: { parameters: Parameter[]; artifacts?: { name: string; from: string }[] }
}

interface DagTemplate {
  name: string
  dag: { tasks: DagTask[] }
}

export interface WorkflowManifest {
  apiVersion: 'argoproj.io/v1alpha1'
  kind: 'Workflow'
  metadata: {
    name: string
    namespace: string
    labels: Record<string, string>
    annotations: Record<string, string>
    finalizers: string[]
  }
  spec: {
    entrypoint: string
    arguments: { parameters: Parameter[] }
    templates: DagTemplate[]
    onExit?: string
    suspend?: boolean
    activeDeadlineSeconds?: number
    serviceAccountName?: string
    podGC?: PodGcSetting
    ttlStrategy?: TtlStrategySetting
    volumes: object[]
    volumeClaimTemplates?: object[]
    volumeClaimGC?: { strategy: string }
    artifactRepositoryRef?: { configMap?: string; key?: string }
  }
}

/** The input cannot make a valid Workflow (a bug or a catalog the config schema should have refused). */
export class ManifestInputError extends Error {
  override readonly name = 'ManifestInputError'
}

const STEP_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,62}$/
const RESERVED_TASKS = new Set([READ_FILES_TASK, WRITE_FILES_TASK])

export function buildWorkflowManifest(input: WorkflowManifestInput): WorkflowManifest {
  checkInput(input)
  const readFiles = input.readFilesTemplate ?? DEFAULT_IO_TEMPLATES.readFiles
  const writeFiles = input.writeFilesTemplate ?? DEFAULT_IO_TEMPLATES.writeFiles
  const exitHandler =
    input.exitHandlerTemplate === undefined ? DEFAULT_IO_TEMPLATES.exitHandler : input.exitHandlerTemplate
  const chain: ManifestStep[] = [
    { name: READ_FILES_TASK, templateRef: readFiles },
    ...input.type.steps,
    { name: WRITE_FILES_TASK, templateRef: writeFiles },
  ]

  const templates: DagTemplate[] = [
    {
      name: MAIN_TEMPLATE,
      dag: { tasks: chain.map((step, index) => task(chain, index, input.transfer.mode)) },
    },
  ]
  if (exitHandler) {
    // onExit names a template of this Workflow, so a one-task DAG wraps the referenced one.
    const exitTask: DagTask = {
      name: EXIT_TASK,
      templateRef: { ...exitHandler },
      arguments: {
        parameters: [
          fromWorkflow(PARAM.recordId),
          { name: PARAM.workflowStatus, value: '{{workflow.status}}' },
        ],
      },
    }
    templates.push({ name: EXIT_TEMPLATE, dag: { tasks: [exitTask] } })
  }

  const manifest: WorkflowManifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [RECORD_ID_LABEL]: labelSafe(input.recordId),
        [WORKFLOW_TYPE_LABEL]: labelSafe(input.type.name),
        [SEQ_LABEL]: String(input.seq),
      },
      annotations: {
        [FILES_ANNOTATION]: JSON.stringify(input.files.map((file) => file.key)),
        [RECORD_ID_ANNOTATION]: input.recordId,
      },
      finalizers: [input.finalizer ?? OUTCOME_FINALIZER],
    },
    spec: {
      entrypoint: MAIN_TEMPLATE,
      arguments: { parameters: workflowParameters(input) },
      templates,
      ...(exitHandler ? { onExit: EXIT_TEMPLATE } : {}),
      ...(input.suspend ? { suspend: true } : {}),
      volumes: [{ name: RUN_TOKEN_VOLUME, secret: { secretName: input.runTokenSecretName } }],
    },
  }
  const spec = manifest.spec
  const deadline = input.type.activeDeadlineSeconds ?? input.activeDeadlineSeconds
  if (deadline !== undefined) spec.activeDeadlineSeconds = deadline
  if (input.serviceAccountName) spec.serviceAccountName = input.serviceAccountName
  const podGC = input.podGC === undefined ? { strategy: 'OnWorkflowSuccess' as const } : input.podGC
  if (podGC) spec.podGC = { ...podGC }
  if (input.ttlStrategy) spec.ttlStrategy = { ...input.ttlStrategy }

  const transfer = input.transfer
  if (transfer.mode === 'volume') {
    spec.volumeClaimTemplates = [
      {
        metadata: { name: WORK_VOLUME },
        spec: {
          accessModes: transfer.accessModes ?? ['ReadWriteOnce'],
          resources: { requests: { storage: transfer.size } },
          ...(transfer.storageClass ? { storageClassName: transfer.storageClass } : {}),
        },
      },
    ]
    spec.volumeClaimGC = { strategy: 'OnWorkflowCompletion' }
  } else if (transfer.artifactRepositoryRef) {
    spec.artifactRepositoryRef = { ...transfer.artifactRepositoryRef }
  }
  return manifest
}

function task(chain: ManifestStep[], index: number, mode: FileTransfer['mode']): DagTask {
  const step = chain[index] as ManifestStep
  const previous = index > 0 ? chain[index - 1] : undefined
  const isIo = step.name === READ_FILES_TASK || step.name === WRITE_FILES_TASK
  const parameters = [PARAM.recordId, PARAM.files, PARAM.parameters, PARAM.serviceUrl].map(fromWorkflow)
  if (isIo) parameters.push(fromWorkflow(PARAM.runTokenSecret))
  const built: DagTask = { name: step.name, templateRef: { ...step.templateRef }, arguments: { parameters } }
  if (previous) built.dependencies = [previous.name]
  if (mode === 'volume') {
    // Each task writes its own sub-directory of the work volume and reads the previous one's.
    if (previous) parameters.push({ name: PARAM.inputPath, value: previous.name })
    if (step.name !== WRITE_FILES_TASK) parameters.push({ name: PARAM.outputPath, value: step.name })
  } else if (previous) {
    built.arguments.artifacts = [
      { name: INPUT_ARTIFACT, from: `{{tasks.${previous.name}.outputs.artifacts.${OUTPUT_ARTIFACT}}}` },
    ]
  }
  return built
}

function fromWorkflow(name: string): Parameter {
  return { name, value: `{{workflow.parameters.${name}}}` }
}

function workflowParameters(input: WorkflowManifestInput): Parameter[] {
  const files = input.files.map(({ key, mimetype, checksum, size }) => ({ key, mimetype, checksum, size }))
  return [
    { name: PARAM.recordId, value: input.recordId },
    { name: PARAM.workflowType, value: input.type.name },
    { name: PARAM.files, value: inertJson(files) },
    { name: PARAM.parameters, value: inertJson(input.parameters) },
    { name: PARAM.serviceUrl, value: input.serviceUrl },
    { name: PARAM.transfer, value: input.transfer.mode },
    { name: PARAM.runTokenSecret, value: input.runTokenSecretName },
  ]
}

/**
 * JSON whose text never contains Argo's `{{`: it cannot occur between JSON tokens, and inside
 * strings `{\u007b` parses back to the same value. So a user's value can never be read by Argo
 * as a template expression when it is substituted into a step.
 */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('{{', '{\\u007b')
}

function checkInput(input: WorkflowManifestInput): void {
  const fail = (message: string): never => {
    throw new ManifestInputError(message)
  }
  if (!isWorkflowName(input.name))
    fail(`workflow name is not a DNS-1123 name of at most 63 characters: ${input.name}`)
  if (!Number.isSafeInteger(input.seq) || input.seq < 1) fail(`seq must be a positive integer: ${input.seq}`)
  if (input.recordId === '') fail('record id is empty')
  for (const text of [input.recordId, input.type.name, input.serviceUrl, input.runTokenSecretName]) {
    if (text.includes('{{')) fail(`'{{' is not allowed in ${JSON.stringify(text)}`)
  }
  if (input.files.length === 0) fail('a run needs at least one file')
  if (new Set(input.files.map((file) => file.key)).size !== input.files.length) fail('file keys repeat')
  if (input.type.steps.length === 0) fail(`workflow type ${input.type.name} has no processing steps`)
  const names = new Set<string>()
  for (const step of input.type.steps) {
    if (!STEP_NAME.test(step.name))
      fail(`step name must be letters, digits and '-', starting with a letter: ${step.name}`)
    if (RESERVED_TASKS.has(step.name)) fail(`step name ${step.name} is reserved`)
    if (names.has(step.name)) fail(`step name ${step.name} repeats`)
    names.add(step.name)
    if (!step.templateRef.name || !step.templateRef.template)
      fail(`step ${step.name} has an incomplete templateRef`)
  }
  if (input.parameters === null || typeof input.parameters !== 'object' || Array.isArray(input.parameters)) {
    fail('parameters must be a JSON object')
  }
}
