// The lock decision: rows without an outcome + what Argo shows (or said) + now → busy or free.
import type { Workflow } from '../../../src/argo/index.js'
import { checkLock, decideHold, type LockCandidate, type LockState } from '../../../src/processing/lock.js'

const NOW = new Date('2025-03-01T10:00:00Z')
const GRACE = 30
const secondsAgo = (seconds: number) => new Date(NOW.getTime() - seconds * 1000)

function workflow(phase?: string): Workflow {
  return { metadata: { name: 'wf' }, ...(phase ? { status: { phase } } : {}) } as Workflow
}

describe('decideHold', () => {
  const young = { createdAt: secondsAgo(5) }
  const old = { createdAt: secondsAgo(300) }

  test.each(['Pending', 'Running'])('a cached %s Workflow holds its files', (phase) => {
    expect(decideHold(old, { cached: workflow(phase) }, NOW, GRACE)).toEqual({ kind: 'holds', phase })
  })

  test('a cached Workflow the controller has not touched yet (no status) holds as Pending', () => {
    expect(decideHold(old, { cached: workflow() }, NOW, GRACE)).toEqual({ kind: 'holds', phase: 'Pending' })
  })

  test.each(['Succeeded', 'Failed', 'Error'])('a cached %s Workflow frees its files', (phase) => {
    expect(decideHold(young, { cached: workflow(phase) }, NOW, GRACE)).toEqual({ kind: 'free' })
  })

  test('a run Argo has not shown, younger than the grace period, is Pending and holds its files', () => {
    expect(decideHold(young, { cached: undefined }, NOW, GRACE)).toEqual({ kind: 'holds', phase: 'Pending' })
  })

  test('exactly at the grace period the API server is asked', () => {
    expect(decideHold({ createdAt: secondsAgo(GRACE) }, { cached: undefined }, NOW, GRACE)).toEqual({
      kind: 'ask-api-server',
    })
  })

  test('older and unseen: the API server decides (404 frees, non-terminal holds, terminal frees)', () => {
    expect(decideHold(old, { cached: undefined }, NOW, GRACE)).toEqual({ kind: 'ask-api-server' })
    expect(decideHold(old, { cached: undefined, answer: null }, NOW, GRACE)).toEqual({ kind: 'free' })
    expect(decideHold(old, { cached: undefined, answer: workflow('Running') }, NOW, GRACE)).toEqual({
      kind: 'holds',
      phase: 'Running',
    })
    expect(decideHold(old, { cached: undefined, answer: workflow('Failed') }, NOW, GRACE)).toEqual({
      kind: 'free',
    })
  })

  test('the cache wins over an older API server answer', () => {
    expect(
      decideHold(old, { cached: workflow('Succeeded'), answer: workflow('Running') }, NOW, GRACE),
    ).toEqual({
      kind: 'free',
    })
  })
})

describe('checkLock', () => {
  const candidates: LockCandidate[] = [
    { name: 'run-1', createdAt: secondsAgo(600), fileKeys: ['a', 'b'] },
    { name: 'run-2', createdAt: secondsAgo(2), fileKeys: ['b', 'c'] },
    { name: 'run-3', createdAt: secondsAgo(600), fileKeys: ['d'] },
  ]
  const states: Record<string, LockState> = {
    'run-1': { cached: workflow('Running') },
    'run-2': { cached: undefined },
    'run-3': { cached: undefined },
  }

  test('lists busy requested files in request order with their first holder, and who to ask', () => {
    const result = checkLock(['c', 'b', 'a', 'x', 'd'], candidates, (name) => states[name]!, NOW, GRACE)
    expect(result.busy).toEqual([
      { key: 'c', heldBy: 'run-2', phase: 'Pending' },
      { key: 'b', heldBy: 'run-1', phase: 'Running' },
      { key: 'a', heldBy: 'run-1', phase: 'Running' },
    ])
    expect(result.ask).toEqual(['run-3'])
  })

  test('files of a run that are not requested are not reported', () => {
    const result = checkLock(['x'], candidates, (name) => states[name]!, NOW, GRACE)
    expect(result.busy).toEqual([])
  })

  test('with the API server answer, the unseen old run is decided', () => {
    const answered: Record<string, LockState> = {
      ...states,
      'run-3': { cached: undefined, answer: workflow('Running') },
    }
    expect(checkLock(['d'], candidates, (name) => answered[name]!, NOW, GRACE)).toEqual({
      busy: [{ key: 'd', heldBy: 'run-3', phase: 'Running' }],
      ask: [],
    })
  })

  test('no candidates → nothing busy', () => {
    expect(checkLock(['a'], [], () => ({ cached: undefined }), NOW, GRACE)).toEqual({ busy: [], ask: [] })
  })
})
