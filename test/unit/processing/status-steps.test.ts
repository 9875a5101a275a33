import { nodeIdFor } from '../../../src/argo/fnv.js'
import type { NodeStatus, Workflow } from '../../../src/argo/types.js'
import { stepViewsFromResults, stepViewsOf } from '../../../src/processing/steps.js'

const WF = 'gromacs-tpr-rec1-3'

function pod(step: string, extra: Partial<NodeStatus>): NodeStatus {
  const name = `${WF}.${step}`
  return {
    id: nodeIdFor(WF, name),
    name,
    displayName: step,
    type: 'Pod',
    templateRef: { name: 'compchem-gromacs', template: step },
    ...extra,
  }
}

const result = (value: object) => ({
  outputs: { parameters: [{ name: 'result', value: JSON.stringify(value) }] },
})

const workflow: Workflow = {
  metadata: { name: WF },
  status: {
    phase: 'Failed',
    nodes: Object.fromEntries(
      [
        { id: WF, name: WF, type: 'DAG', phase: 'Failed' } as NodeStatus,
        pod('dump', {
          phase: 'Succeeded',
          startedAt: '2025-03-01T10:00:00Z',
          finishedAt: '2025-03-01T10:00:05Z',
          ...result({ status: 'PARTIAL', message: 'no velocities', files: { 'md/topol.tpr': 'PARTIAL' } }),
        }),
        // Wrote no result (the parameter's default, empty): judged by its phase.
        pod('mdrun', {
          phase: 'Failed',
          startedAt: '2025-03-01T10:00:06Z',
          finishedAt: '2025-03-01T10:00:09Z',
          message: 'Error (exit code 1)',
          outputs: { parameters: [{ name: 'result', value: '' }] },
        }),
        pod('cleanup', { phase: 'Succeeded', startedAt: '2025-03-01T10:00:10Z' }),
        pod('write-files', { phase: 'Pending' }),
      ].map((node) => [node.id, node]),
    ),
  },
}

test('steps carry pod names and results per the step result convention', () => {
  const steps = stepViewsOf(workflow)
  expect(steps.map((step) => step.displayName)).toEqual(['dump', 'mdrun', 'cleanup', 'write-files'])
  expect(steps[0]).toEqual({
    name: `${WF}.dump`,
    displayName: 'dump',
    templateName: 'dump',
    phase: 'Succeeded',
    startedAt: '2025-03-01T10:00:00Z',
    finishedAt: '2025-03-01T10:00:05Z',
    message: null,
    podName: `${WF}-dump-${nodeIdFor(WF, `${WF}.dump`).slice(WF.length + 1)}`,
    result: {
      status: 'PARTIAL',
      message: 'no velocities',
      files: { 'md/topol.tpr': 'PARTIAL' },
      source: 'step',
    },
  })
  expect(steps[1]?.result).toEqual({
    status: 'FAILURE',
    message: 'Error (exit code 1)',
    files: {},
    source: 'phase',
  })
  expect(steps[2]?.result).toEqual({ status: 'SUCCESS', message: '', files: {}, source: 'phase' })
  // Not ended and nothing reported: no result yet.
  expect(steps[3]?.result).toBeNull()
})

test('steps kept in an outcome are read back leniently', () => {
  const kept = stepViewsOf(workflow)
  expect(stepViewsFromResults({ steps: JSON.parse(JSON.stringify(kept)) })).toEqual(kept)
  expect(
    stepViewsFromResults({
      steps: [
        { name: 'a', phase: 'Succeeded', result: { status: 'BOGUS' } },
        { phase: 'Failed' },
        'junk',
        { name: 'b', phase: 'Failed', result: { status: 'FAILURE', files: { x: 'FAILURE', y: 1 } } },
      ],
    }),
  ).toEqual([
    expect.objectContaining({ name: 'a', displayName: 'a', podName: '', result: null }),
    expect.objectContaining({
      name: 'b',
      result: { status: 'FAILURE', message: '', files: { x: 'FAILURE' }, source: 'step' },
    }),
  ])
  for (const nothing of [null, [], {}, { steps: 'no' }]) expect(stepViewsFromResults(nothing)).toEqual([])
})
