import { loadSettings } from '../../../src/config/index.js'
import { workflowCleanupOf } from '../../../src/processing/submit.js'

const settings = (env: Record<string, string> = {}) =>
  loadSettings({ INVENIO_URL: 'https://repo.example.org', ...env })

test('by default pods stay with their Workflow (logs stay readable) and the Workflow goes after 7 days', () => {
  expect(workflowCleanupOf(settings())).toEqual({
    podGC: null,
    ttlStrategy: { secondsAfterCompletion: 604800 },
  })
})

test('an operator can choose Argo podGC and keep finished Workflows', () => {
  expect(
    workflowCleanupOf(settings({ WORKFLOW_POD_GC: 'OnWorkflowSuccess', WORKFLOW_TTL_SECONDS: '0' })),
  ).toEqual({
    podGC: { strategy: 'OnWorkflowSuccess' },
  })
})

test('an unknown podGC strategy is refused with the setting named', () => {
  expect(() => settings({ WORKFLOW_POD_GC: 'Sometimes' })).toThrow(/WORKFLOW_POD_GC/)
})
