import { phaseLabel, resultLabel, toastText } from '../../../ui/src/logic/outcome.js'
import { elapsed, formatDuration, progressLabel } from '../../../ui/src/logic/format.js'
import { problemMessage, troubleOf } from '../../../ui/src/logic/problem.js'

describe('toastText', () => {
  test.each([
    ['Succeeded', 'SUCCESS', 'run-1 succeeded'],
    ['Succeeded', 'PARTIAL', 'run-1 partly succeeded'],
    ['Succeeded', 'FAILURE', 'run-1 failed'],
    ['Failed', 'FAILURE', 'run-1 failed'],
    ['Failed', 'PARTIAL', 'run-1 partly succeeded'],
    ['Error', 'FAILURE', 'run-1 ended with an error'],
    ['Succeeded', undefined, 'run-1 succeeded'],
  ])('%s with %s → %s', (phase, status, text) => {
    expect(toastText('run-1', phase, status)).toBe(text)
  })
})

describe('labels', () => {
  test('phase badge text, with Suspended for a paused live run only', () => {
    expect(phaseLabel('Running')).toBe('Running')
    expect(phaseLabel('Running', true)).toBe('Suspended')
    expect(phaseLabel('Succeeded', true)).toBe('Succeeded')
    expect(phaseLabel('NotFound')).toBe('Not found')
  })

  test('result status in words', () => {
    expect(resultLabel('PARTIAL')).toBe('Partial success')
    expect(resultLabel(null)).toBeNull()
  })

  test('durations and progress', () => {
    expect(formatDuration(42_400)).toBe('42 s')
    expect(formatDuration(185_000)).toBe('3 min 05 s')
    expect(formatDuration(3_720_000)).toBe('1 h 02 min')
    const now = Date.parse('2030-01-01T10:01:00Z')
    expect(elapsed('2030-01-01T10:00:00Z', null, now)).toBe('1 min 00 s')
    expect(elapsed('2030-01-01T10:00:00Z', '2030-01-01T10:00:30Z', now)).toBe('30 s')
    expect(elapsed(null, null, now)).toBeNull()
    expect(progressLabel('1/3')).toBe('1 of 3 steps')
    expect(progressLabel(null)).toBeNull()
  })
})

describe('problems', () => {
  test('the detail, else the title, else the status', () => {
    expect(problemMessage(409, { title: 'Conflict', detail: 'File busy.' })).toBe('File busy.')
    expect(problemMessage(409, { title: 'Conflict' })).toBe('Conflict')
    expect(problemMessage(500, null)).toBe('The service answered 500.')
    expect(problemMessage(0, null)).toBe('The service could not be reached.')
  })

  test('statuses map to what the widget shows', () => {
    expect(troubleOf(401)).toBe('session-ended')
    expect(troubleOf(403)).toBe('no-access')
    expect(troubleOf(503)).toBe('unreachable')
    expect(troubleOf(502)).toBe('unreachable')
    expect(troubleOf(0)).toBe('unreachable')
    expect(troubleOf(422)).toBe('other')
  })
})
