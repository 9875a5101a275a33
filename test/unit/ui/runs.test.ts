import { EMPTY_RUNS, parseRecordEvent, reduceRuns, type RecordEvent } from '../../../ui/src/logic/runs.js'
import type { RunSummary } from '../../../ui/src/logic/api-types.js'

const run = (seq: number, phase = 'Running', extra: Partial<RunSummary> = {}): RunSummary => ({
  name: `gaussian-log-rec-${seq}`,
  seq,
  type: 'gaussian-log',
  files: ['a.log'],
  phase,
  progress: '0/1',
  startedAt: '2030-01-01T10:00:00Z',
  finishedAt: null,
  message: null,
  createdAt: `2030-01-01T10:00:0${seq}Z`,
  ...extra,
})

const snapshot = (...runs: RunSummary[]): RecordEvent => ({ event: 'snapshot', data: { runs } })

describe('reduceRuns', () => {
  test('a snapshot replaces the list, newest first, and marks it loaded', () => {
    const state = reduceRuns(EMPTY_RUNS, snapshot(run(1), run(3), run(2)))
    expect(state.loaded).toBe(true)
    expect(state.runs.map((r) => r.seq)).toEqual([3, 2, 1])
  })

  test('a workflow event updates a known run and keeps what the event lacks', () => {
    const state = reduceRuns(EMPTY_RUNS, snapshot(run(1)))
    const next = reduceRuns(state, {
      event: 'workflow',
      data: { ...run(1, 'Succeeded', { progress: '1/1' }), seq: null, createdAt: undefined },
    })
    expect(next.runs).toHaveLength(1)
    expect(next.runs[0]).toMatchObject({
      phase: 'Succeeded',
      progress: '1/1',
      seq: 1,
      createdAt: run(1).createdAt,
    })
  })

  test('a workflow event for a new run adds it in order', () => {
    const state = reduceRuns(EMPTY_RUNS, snapshot(run(1), run(2)))
    const next = reduceRuns(state, { event: 'workflow', data: run(3, 'Pending') })
    expect(next.runs.map((r) => r.seq)).toEqual([3, 2, 1])
  })

  test('a completed event records the outcome; running again clears it', () => {
    let state = reduceRuns(EMPTY_RUNS, snapshot(run(1)))
    state = reduceRuns(state, {
      event: 'completed',
      data: {
        name: run(1).name,
        attempt: 1,
        phase: 'Failed',
        status: 'FAILURE',
        message: 'boom',
        finishedAt: '2030-01-01T10:05:00Z',
      },
    })
    expect(state.runs[0]).toMatchObject({
      phase: 'Failed',
      message: 'boom',
      finishedAt: '2030-01-01T10:05:00Z',
      outcome: { status: 'FAILURE', attempt: 1 },
    })
    // A fresh snapshot of the ended run keeps the outcome it does not carry.
    state = reduceRuns(state, snapshot(run(1, 'Failed')))
    expect(state.runs[0]!.outcome).toEqual({ status: 'FAILURE', attempt: 1 })
    state = reduceRuns(state, { event: 'workflow', data: run(1, 'Running') })
    expect(state.runs[0]!.outcome).toBeUndefined()
  })

  test('a completed event for an unknown run changes nothing', () => {
    const state = reduceRuns(EMPTY_RUNS, snapshot(run(1)))
    const next = reduceRuns(state, {
      event: 'completed',
      data: {
        name: 'other',
        attempt: 1,
        phase: 'Succeeded',
        status: 'SUCCESS',
        message: null,
        finishedAt: null,
      },
    })
    expect(next.runs).toEqual(state.runs)
  })
})

describe('parseRecordEvent', () => {
  test('known events with JSON data; anything else is ignored', () => {
    expect(parseRecordEvent('snapshot', '{"recordId":"r","runs":[]}')).toEqual({
      event: 'snapshot',
      data: { recordId: 'r', runs: [] },
    })
    expect(parseRecordEvent('workflow', JSON.stringify(run(1)))).toMatchObject({ event: 'workflow' })
    expect(parseRecordEvent('workflow', '{"phase":"Running"}')).toBeNull()
    expect(parseRecordEvent('snapshot', 'not json')).toBeNull()
    expect(parseRecordEvent('shutdown', '{"reason":"x"}')).toBeNull()
  })
})
