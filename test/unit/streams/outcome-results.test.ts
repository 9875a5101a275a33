// The run outcome from step results: worst status, steps without a result judged by their phase.
import type { NodeStatus, Workflow } from '../../../src/argo/index.js'
import { attemptOf, runResultsOf, worstStatus } from '../../../src/processing/outcome-results.js'
import { notificationIdFor } from '../../../src/processing/notify-outbox.js'

function node(name: string, phase: string, result?: object): NodeStatus {
  return {
    id: `wf-${name}`,
    name: `wf.${name}`,
    displayName: name,
    type: 'Pod',
    phase: phase as 'Succeeded',
    templateName: name,
    startedAt: '2025-01-01T00:00:00Z',
    outputs: result
      ? { parameters: [{ name: 'result', value: JSON.stringify(result) }] }
      : { parameters: [{ name: 'result', value: '' }] },
  }
}

function run(phase: string, nodes: NodeStatus[], annotations: Record<string, string> = {}): Workflow {
  return {
    metadata: { name: 'wf', annotations },
    status: { phase: phase as 'Succeeded', nodes: Object.fromEntries(nodes.map((n) => [n.id, n])) },
  }
}

test('worst status wins: FAILURE over PARTIAL over SUCCESS', () => {
  expect(worstStatus(['SUCCESS', 'PARTIAL', 'SUCCESS'])).toBe('PARTIAL')
  expect(worstStatus(['PARTIAL', 'FAILURE'])).toBe('FAILURE')
  expect(worstStatus([])).toBeUndefined()
})

test('a PARTIAL step makes a succeeded run PARTIAL; files keep their worst status', () => {
  const results = runResultsOf(
    run('Succeeded', [
      node('parse', 'Succeeded', {
        status: 'PARTIAL',
        message: 'one bad',
        files: { 'a.log': 'SUCCESS', 'b.log': 'FAILURE' },
      }),
      node('summarize', 'Succeeded', { status: 'SUCCESS', files: { 'a.log': 'PARTIAL' } }),
      node('write-files', 'Succeeded'),
    ]),
  )
  expect(results.status).toBe('PARTIAL')
  expect(results.files).toEqual({ 'a.log': 'PARTIAL', 'b.log': 'FAILURE' })
  expect(results.steps.map((step) => step.result?.source)).toEqual(['step', 'step', 'phase'])
})

test('a step without a result is judged by its phase, and a failed run is a FAILURE', () => {
  expect(runResultsOf(run('Failed', [node('parse', 'Failed')])).status).toBe('FAILURE')
  expect(runResultsOf(run('Failed', [node('parse', 'Succeeded', { status: 'SUCCESS' })])).status).toBe(
    'FAILURE',
  )
  expect(runResultsOf(run('Succeeded', [node('parse', 'Succeeded')])).status).toBe('SUCCESS')
})

test('attempt comes from the retry annotation, 1 without it; notification ids are stable per attempt', () => {
  expect(attemptOf(run('Succeeded', []))).toBe(1)
  expect(attemptOf(run('Succeeded', [], { 'compchem.cz/attempt': '3' }))).toBe(3)
  expect(attemptOf(run('Succeeded', [], { 'compchem.cz/attempt': 'x' }))).toBe(1)
  expect(notificationIdFor('wf', 1)).toBe(notificationIdFor('wf', 1))
  expect(notificationIdFor('wf', 1)).not.toBe(notificationIdFor('wf', 2))
  expect(notificationIdFor('wf', 1)).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  )
})
