import {
  dependsTaskNames,
  evaluateDepends,
  evaluateWhen,
  substitute,
  type TaskResult,
} from '../../../../src/sandbox/argo/expressions.js'
import { compressNodes, decompressNodes } from '../../../../src/sandbox/argo/nodes-codec.js'

describe('substitute', () => {
  test('replaces known references and leaves unknown ones', () => {
    expect(
      substitute('{{inputs.parameters.x}}-{{ workflow.name }}-{{steps.a.outputs.result}}', {
        'inputs.parameters.x': '1',
        'workflow.name': 'wf',
      }),
    ).toBe('1-wf-{{steps.a.outputs.result}}')
  })
})

describe('when', () => {
  test.each([
    ['Succeeded == Succeeded', true],
    ['Failed != Succeeded', true],
    ['heads == tails', false],
    ['5 > 10', false],
    ['10 > 5', true],
    ['"a b" == "a b" && (1 < 2 || false)', true],
    ['!(1 == 1)', false],
  ])('%s → %s', (expression, expected) => {
    expect(evaluateWhen(expression)).toBe(expected)
  })

  test('malformed expressions are errors', () => {
    expect(() => evaluateWhen('(a == b')).toThrow()
  })
})

describe('depends', () => {
  const results: Record<string, TaskResult> = { A: 'Succeeded', B: 'Failed', 'task-c': 'Skipped' }
  const resultOf = (t: string) => results[t]
  test.each([
    ['A', true],
    ['A && B', false],
    ['A && B.Failed', true],
    ['task-c', true],
    ['B.Succeeded || task-c.Skipped', true],
    ['(A.Succeeded || B.Succeeded) && !task-c.Failed', true],
  ])('%s → %s', (expression, expected) => {
    expect(evaluateDepends(expression, resultOf)).toBe(expected)
  })

  test('task names in order of appearance', () => {
    expect(dependsTaskNames('(A.Succeeded || task-b) && A.Failed')).toEqual(['A', 'task-b'])
  })
})

describe('compressedNodes', () => {
  test('round-trips through gzip and base64', () => {
    const nodes = {
      wf: {
        id: 'wf',
        name: 'wf',
        displayName: 'wf',
        type: 'DAG' as const,
        phase: 'Running' as const,
        startedAt: 'x',
        finishedAt: null,
      },
    }
    const compressed = compressNodes(nodes)
    expect(Buffer.from(compressed, 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    expect(decompressNodes(compressed)).toEqual(nodes)
  })
})
