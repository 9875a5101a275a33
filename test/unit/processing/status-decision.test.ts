import type { Workflow } from '../../../src/argo/types.js'
import type { OutcomeRow } from '../../../src/db/rows.js'
import {
  decideRunStatus,
  latestOutcome,
  statusOfOutcome,
  type RunStatus,
  type StatusDecision,
} from '../../../src/processing/run-status.js'

const GRACE = 30
const created = new Date('2025-03-01T10:00:00Z')
const row = { createdAt: created }
const secondsAfter = (seconds: number) => new Date(created.getTime() + seconds * 1000)

const running: Workflow = {
  metadata: { name: 'gaussian-rec-1' },
  status: {
    phase: 'Running',
    progress: '1/3',
    startedAt: '2025-03-01T10:00:02Z',
    message: 'still going',
  },
}

function outcome(extra: Partial<OutcomeRow> = {}): OutcomeRow {
  return {
    workflowId: '1',
    attempt: 1,
    phase: 'Failed',
    startedAt: new Date('2025-03-01T10:00:02Z'),
    finishedAt: new Date('2025-03-01T10:05:00Z'),
    message: 'step summarize failed',
    results: { progress: '2/3' },
    createdAt: new Date('2025-03-01T10:05:01Z'),
    ...extra,
  }
}

function statusOf(decision: StatusDecision): RunStatus {
  if (decision.kind !== 'status') throw new Error(`expected a status, got ${decision.kind}`)
  return decision.status
}

describe('decideRunStatus', () => {
  test('a cached Workflow gives its live phase, progress, times and message', () => {
    expect(statusOf(decideRunStatus(row, running, undefined, secondsAfter(5), GRACE))).toEqual({
      phase: 'Running',
      progress: '1/3',
      startedAt: '2025-03-01T10:00:02Z',
      finishedAt: null,
      message: 'still going',
      source: 'argo',
    })
  })

  test('a cached Workflow the controller has not touched yet is Pending from Argo', () => {
    const fresh: Workflow = { metadata: { name: 'gaussian-rec-1' } }
    const status = statusOf(decideRunStatus(row, fresh, undefined, secondsAfter(500), GRACE))
    expect(status).toMatchObject({ phase: 'Pending', progress: '0/0', source: 'argo' })
  })

  test('a cached Workflow wins over a stored outcome (a run retried in place runs again)', () => {
    const status = statusOf(decideRunStatus(row, running, outcome(), secondsAfter(900), GRACE))
    expect(status.phase).toBe('Running')
    expect(status.source).toBe('argo')
  })

  test('without a Workflow, a stored outcome is shown, whatever the run’s age', () => {
    for (const age of [1, 10_000]) {
      expect(statusOf(decideRunStatus(row, undefined, outcome(), secondsAfter(age), GRACE))).toEqual({
        phase: 'Failed',
        progress: '2/3',
        startedAt: '2025-03-01T10:00:02.000Z',
        finishedAt: '2025-03-01T10:05:00.000Z',
        message: 'step summarize failed',
        source: 'outcome',
      })
    }
  })

  test('an outcome without progress or times claims none; a non-terminal stored phase reads as Error', () => {
    const bare = outcome({ phase: 'Running', startedAt: null, finishedAt: null, results: [] })
    expect(statusOf(decideRunStatus(row, undefined, bare, secondsAfter(1), GRACE))).toMatchObject({
      phase: 'Error',
      progress: null,
      startedAt: null,
      finishedAt: null,
    })
    expect(statusOfOutcome(outcome({ results: { progress: 'lots' } })).progress).toBeNull()
  })

  test('a young run Argo has not shown is Pending, up to the end of the grace period', () => {
    for (const age of [0, 29.999]) {
      expect(statusOf(decideRunStatus(row, undefined, undefined, secondsAfter(age), GRACE))).toEqual({
        phase: 'Pending',
        progress: null,
        startedAt: null,
        finishedAt: null,
        message: null,
        source: 'pending',
      })
    }
  })

  test('past the grace period the API server must be asked', () => {
    expect(decideRunStatus(row, undefined, undefined, secondsAfter(30), GRACE)).toEqual({ kind: 'ask-argo' })
  })

  test('the API server’s 404 makes the run NotFound', () => {
    const status = statusOf(
      decideRunStatus(row, undefined, undefined, secondsAfter(60), GRACE, { kind: 'absent' }),
    )
    expect(status).toMatchObject({ phase: 'NotFound', source: 'not-found', progress: null })
    expect(status.message).toMatch(/no Workflow/)
  })

  test('a Workflow the API server has but the informer lags on gives its live status', () => {
    const answer = { kind: 'found', workflow: running } as const
    const status = statusOf(decideRunStatus(row, undefined, undefined, secondsAfter(60), GRACE, answer))
    expect(status).toMatchObject({ phase: 'Running', progress: '1/3', source: 'argo' })
  })

  test('an unreachable API server makes the run Unknown, with the reason', () => {
    const answer = { kind: 'failed', reason: 'get workflow x: connect ECONNREFUSED' } as const
    const status = statusOf(decideRunStatus(row, undefined, undefined, secondsAfter(60), GRACE, answer))
    expect(status).toMatchObject({ phase: 'Unknown', source: 'unknown' })
    expect(status.message).toContain('ECONNREFUSED')
  })

  test('an answer does not matter while the run is young or has an outcome', () => {
    const absent = { kind: 'absent' } as const
    expect(statusOf(decideRunStatus(row, undefined, undefined, secondsAfter(1), GRACE, absent)).phase).toBe(
      'Pending',
    )
    expect(statusOf(decideRunStatus(row, undefined, outcome(), secondsAfter(99), GRACE, absent)).phase).toBe(
      'Failed',
    )
  })
})

test('latestOutcome is the last attempt', () => {
  expect(latestOutcome({ outcomes: [] })).toBeUndefined()
  const second = outcome({ attempt: 2, phase: 'Succeeded' })
  expect(latestOutcome({ outcomes: [outcome(), second] })).toBe(second)
})
