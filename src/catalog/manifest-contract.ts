// The contract between the Workflow the service builds and the WorkflowTemplates it references
// (the shipped read-files / write-files / exit-handler and the deployer's processing steps).
// The keys and finalizer mirror src/argo/labels.ts (catalog sits above argo in the layering, so
// they are repeated here; a unit test keeps both in step).

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGED_BY_VALUE = 'compchem-fileprocessor'
export const RECORD_ID_LABEL = 'compchem.cz/record-id'
export const WORKFLOW_TYPE_LABEL = 'compchem.cz/workflow-type'
export const SEQ_LABEL = 'compchem.cz/seq'
export const FILES_ANNOTATION = 'compchem.cz/files'
export const RECORD_ID_ANNOTATION = 'compchem.cz/record-id'
export const OUTCOME_FINALIZER = 'compchem.cz/outcome'

/** Names of the templates inside the built Workflow. */
export const MAIN_TEMPLATE = 'main'
export const EXIT_TEMPLATE = 'exit-handler'
export const READ_FILES_TASK = 'read-files'
export const WRITE_FILES_TASK = 'write-files'
export const EXIT_TASK = 'exit'

/**
 * Parameters. Workflow-level (spec.arguments.parameters): record-id, workflow-type, files (JSON array
 * of {key, mimetype, checksum, size}), parameters (the user's parameters as one JSON object),
 * service-url (file proxy base), transfer ('volume' | 'artifacts') and run-token-secret (the NAME of
 * the Secret holding the run token, never the token). Every task gets record-id, files, parameters
 * and service-url; read-files and write-files also get run-token-secret; in volume mode each task
 * gets input-path / output-path, sub-paths of the work volume to mount at /input and /output.
 * The exit handler gets record-id and workflow-status.
 */
export const PARAM = {
  recordId: 'record-id',
  workflowType: 'workflow-type',
  files: 'files',
  parameters: 'parameters',
  serviceUrl: 'service-url',
  transfer: 'transfer',
  runTokenSecret: 'run-token-secret',
  inputPath: 'input-path',
  outputPath: 'output-path',
  workflowStatus: 'workflow-status',
} as const

/** Volume mode: the per-run volume every step mounts (sub-paths from input-path / output-path). */
export const WORK_VOLUME = 'workdir'
/** Secret volume with the run token; only read-files and write-files mount it. */
export const RUN_TOKEN_VOLUME = 'run-token'
/** Key of the run token inside its Secret. */
export const RUN_TOKEN_SECRET_KEY = 'token'

/** Artifacts mode: each step takes artifact `input` (at /input) and produces artifact `output` (from /output). */
export const INPUT_ARTIFACT = 'input'
export const OUTPUT_ARTIFACT = 'output'

export interface TemplateReference {
  name: string
  template: string
  clusterScope?: boolean
}

/** Default names of the shipped WorkflowTemplate and its templates. */
export const DEFAULT_IO_TEMPLATES: {
  readFiles: TemplateReference
  writeFiles: TemplateReference
  exitHandler: TemplateReference
} = {
  readFiles: { name: 'compchem-fileprocessor-io', template: 'read-files' },
  writeFiles: { name: 'compchem-fileprocessor-io', template: 'write-files' },
  exitHandler: { name: 'compchem-fileprocessor-io', template: 'exit-handler' },
}
