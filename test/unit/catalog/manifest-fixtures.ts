import type { WorkflowManifestInput } from '../../../src/catalog/manifest.js'

export function manifestInput(overrides: Partial<WorkflowManifestInput> = {}): WorkflowManifestInput {
  return {
    name: 'gaussian-ew6jd-p8175-3',
    namespace: 'compchem',
    recordId: 'ew6jd-p8175',
    type: {
      name: 'gaussian',
      steps: [
        { name: 'parse', templateRef: { name: 'gaussian-tools', template: 'parse-log' } },
        {
          name: 'thumbnail',
          templateRef: { name: 'molecule-render', template: 'render', clusterScope: true },
        },
      ],
      activeDeadlineSeconds: 3600,
    },
    seq: 3,
    files: [
      { key: 'water-dimer.log', mimetype: 'application/octet-stream', checksum: 'md5:5d41', size: 4194304 },
      { key: 'md/topol ö.tpr', mimetype: 'application/octet-stream', checksum: 'md5:7d79', size: 10 },
    ],
    parameters: { method: 'MP2', basis: 'aug-cc-pVTZ' },
    serviceUrl: 'https://fileprocessor.example.org/api/v1/runs',
    runTokenSecretName: 'gaussian-ew6jd-p8175-3-run-token',
    transfer: { mode: 'volume', size: '1Gi' },
    suspend: true,
    ...overrides,
  }
}
