// The phase rules of run actions: what is allowed when, and what each action does to the spec.
import type { Workflow } from '../../../src/argo/index.js'
import { allowedActions, decideSpecAction, retryRefusal } from '../../../src/processing/actions.js'

function workflow(
  phase: string,
  spec: Record<string, unknown> = {},
  nodes: Record<string, unknown> = {},
): Workflow {
  return { metadata: { name: 'wf' }, spec, status: { phase: phase as never, nodes: nodes as never } }
}

const withServer = { argoServer: true }
const withoutServer = { argoServer: false }
const waitingSuspendNode = { s: { id: 's', name: 'wf.approve', type: 'Suspend', phase: 'Running' } }

describe('allowedActions', () => {
  test('a running run may be stopped, terminated and suspended', () => {
    expect(allowedActions('Running', workflow('Running'))).toEqual(['stop', 'terminate', 'suspend'])
  })
  test('a suspended run may be resumed instead of suspended', () => {
    expect(allowedActions('Running', workflow('Running', { suspend: true }))).toEqual([
      'stop',
      'terminate',
      'resume',
    ])
  })
  test('a run waiting on a suspend step may be resumed only with an Argo Server', () => {
    const waiting = workflow('Running', {}, waitingSuspendNode)
    expect(allowedActions('Running', waiting, withServer)).toContain('resume')
    expect(allowedActions('Running', waiting, withoutServer)).not.toContain('resume')
  })
  test('a stopping run may still be terminated; a terminating one nothing', () => {
    expect(allowedActions('Running', workflow('Running', { shutdown: 'Stop' }))).toEqual(['terminate'])
    expect(allowedActions('Running', workflow('Running', { shutdown: 'Terminate' }))).toEqual([])
  })
  test('a failed run may be retried with an Argo Server and resubmitted always', () => {
    expect(allowedActions('Failed', workflow('Failed'), withServer)).toEqual(['retry', 'resubmit'])
    expect(allowedActions('Error', workflow('Error'), withoutServer)).toEqual(['resubmit'])
    expect(allowedActions('Succeeded', workflow('Succeeded'))).toEqual(['resubmit'])
  })
  test('without a Workflow only an ended run may be resubmitted', () => {
    expect(allowedActions('Failed', undefined)).toEqual(['resubmit'])
    expect(allowedActions('NotFound', undefined)).toEqual(['resubmit'])
    expect(allowedActions('Pending', undefined)).toEqual([])
    expect(allowedActions('Unknown', undefined)).toEqual([])
  })
})

describe('decideSpecAction', () => {
  test('stop and terminate patch spec.shutdown; repeating them is in effect, also after the run ended', () => {
    expect(decideSpecAction('stop', workflow('Running'), withServer)).toEqual({
      kind: 'patch',
      patch: { shutdown: 'Stop' },
    })
    expect(decideSpecAction('stop', workflow('Running', { shutdown: 'Stop' }), withServer).kind).toBe(
      'in-effect',
    )
    expect(decideSpecAction('stop', workflow('Failed', { shutdown: 'Stop' }), withServer).kind).toBe(
      'in-effect',
    )
    expect(decideSpecAction('terminate', workflow('Running', { shutdown: 'Stop' }), withServer)).toEqual({
      kind: 'patch',
      patch: { shutdown: 'Terminate' },
    })
    expect(decideSpecAction('terminate', workflow('Failed', { shutdown: 'Stop' }), withServer).kind).toBe(
      'refused',
    )
  })
  test('stop of a run that ended by itself is refused', () => {
    expect(decideSpecAction('stop', workflow('Succeeded'), withServer).kind).toBe('refused')
  })
  test('suspend sets spec.suspend unless set, and never on a stopping run', () => {
    expect(decideSpecAction('suspend', workflow('Running'), withServer)).toEqual({
      kind: 'patch',
      patch: { suspend: true },
    })
    expect(decideSpecAction('suspend', workflow('Running', { suspend: true }), withServer).kind).toBe(
      'in-effect',
    )
    expect(decideSpecAction('suspend', workflow('Running', { shutdown: 'Stop' }), withServer).kind).toBe(
      'refused',
    )
  })
  test('resume removes spec.suspend, resumes suspend steps through the Argo Server, refuses ended runs', () => {
    expect(decideSpecAction('resume', workflow('Running', { suspend: true }), withServer)).toEqual({
      kind: 'patch',
      patch: { suspend: null },
      thenResumeNodes: false,
    })
    expect(decideSpecAction('resume', workflow('Running', {}, waitingSuspendNode), withServer).kind).toBe(
      'resume-nodes',
    )
    expect(decideSpecAction('resume', workflow('Running', {}, waitingSuspendNode), withoutServer).kind).toBe(
      'refused',
    )
    expect(decideSpecAction('resume', workflow('Running'), withServer).kind).toBe('in-effect')
    expect(decideSpecAction('resume', workflow('Succeeded'), withServer).kind).toBe('refused')
    // A stop that won the race is not undone by a resume decided on the fresh object.
    expect(
      decideSpecAction('resume', workflow('Running', { suspend: true, shutdown: 'Stop' }), withServer).kind,
    ).toBe('refused')
  })
})

test('retry needs a failed run Argo still has', () => {
  expect(retryRefusal('Failed', workflow('Failed'))).toBeUndefined()
  expect(retryRefusal('Error', workflow('Error'))).toBeUndefined()
  expect(retryRefusal('Succeeded', workflow('Succeeded'))).toMatch(/resubmit/)
  expect(retryRefusal('Running', workflow('Running'))).toMatch(/not ended/)
  expect(retryRefusal('Failed', undefined)).toMatch(/resubmit/)
})
