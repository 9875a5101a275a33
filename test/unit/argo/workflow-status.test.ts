import { decodeCompressedNodes, encodeCompressedNodes } from '../../../src/argo/compressed-nodes.js'
import { fnv32a, nodeIdFor } from '../../../src/argo/fnv.js'
import {
  isTerminal,
  nodesOf,
  parseStepResult,
  phaseOf,
  progressOf,
  stepsOf,
} from '../../../src/argo/workflow-status.js'
import type { NodeStatus, Workflow } from '../../../src/argo/types.js'

const WF = 'gaussian-abcd1-ef234-2'

function podNode(step: string, extra: Partial<NodeStatus> = {}): NodeStatus {
  const name = `${WF}.${step}`
  return { id: nodeIdFor(WF, name), name, displayName: step, type: 'Pod', phase: 'Succeeded', ...extra }
}

function withResult(value: string | undefined): Pick<NodeStatus, 'outputs'> {
  return {
    outputs: {
      parameters: [
        { name: 'other', value: '{}' },
        { name: 'result', value },
      ],
    },
  }
}

const nodes: Record<string, NodeStatus> = Object.fromEntries(
  [
    { id: WF, name: WF, displayName: WF, type: 'DAG', phase: 'Running' } as NodeStatus,
    podNode('read-files', {
      templateRef: { name: 'io', template: 'read-files' },
      startedAt: '2025-01-01T10:00:00Z',
    }),
    podNode('parse', {
      templateRef: { name: 'gaussian', template: 'parse-log' },
      startedAt: '2025-01-01T10:01:00Z',
      finishedAt: '2025-01-01T10:02:00Z',
      ...withResult(
        '{"status":"PARTIAL","message":"2 of 3","files":{"a.log":"SUCCESS","b.log":"FAILURE","c":"bogus"}}',
      ),
    }),
    podNode('write-files', { phase: 'Pending', templateName: 'write-files' }),
  ].map((node) => [node.id, node]),
)

const workflow: Workflow = {
  metadata: { name: WF },
  status: { phase: 'Running', nodes },
}

describe('compressedNodes', () => {
  test('round trip', () => {
    expect(decodeCompressedNodes(encodeCompressedNodes(nodes))).toEqual(nodes)
  })

  test('nodesOf decodes compressedNodes transparently', () => {
    const compressed: Workflow = {
      metadata: { name: WF },
      status: { phase: 'Running', compressedNodes: encodeCompressedNodes(nodes) },
    }
    expect(nodesOf(compressed)).toEqual(nodes)
    expect(stepsOf(compressed)).toEqual(stepsOf(workflow))
  })

  test('unreadable compressedNodes give no nodes instead of throwing', () => {
    expect(nodesOf({ metadata: {}, status: { compressedNodes: 'not-gzip' } })).toEqual({})
  })
})

describe('phase', () => {
  test('a workflow without status is Pending', () => {
    expect(phaseOf({ metadata: {} })).toBe('Pending')
    expect(phaseOf({ metadata: {}, status: { phase: '' } })).toBe('Pending')
    expect(phaseOf(workflow)).toBe('Running')
  })

  test.each([
    ['Succeeded', true],
    ['Failed', true],
    ['Error', true],
    ['Running', false],
    ['Pending', false],
    [undefined, false],
  ])('isTerminal(%s) = %s', (phase, terminal) => {
    expect(isTerminal(phase)).toBe(terminal)
  })
})

describe('stepsOf', () => {
  test('lists pod nodes in start order with pod names and parsed results', () => {
    const steps = stepsOf(workflow)
    expect(steps.map((s) => s.displayName)).toEqual(['read-files', 'parse', 'write-files'])
    const parse = steps[1]!
    expect(parse).toMatchObject({
      templateName: 'parse-log',
      phase: 'Succeeded',
      startedAt: '2025-01-01T10:01:00Z',
      finishedAt: '2025-01-01T10:02:00Z',
      podName: `${WF}-parse-log-${fnv32a(`${WF}.parse`)}`,
      result: { status: 'PARTIAL', message: '2 of 3', files: { 'a.log': 'SUCCESS', 'b.log': 'FAILURE' } },
    })
    expect(steps[0]!.result).toBeNull()
    expect(steps[2]).toMatchObject({
      phase: 'Pending',
      startedAt: null,
      podName: expect.stringContaining('-write-files-'),
    })
  })

  test('progress comes from Argo, or is counted from pod nodes', () => {
    expect(progressOf(workflow)).toBe('2/3')
    expect(progressOf({ ...workflow, status: { ...workflow.status, progress: '1/4' } })).toBe('1/4')
  })
})

describe('parseStepResult', () => {
  test.each([
    ['missing', undefined],
    ['empty (the usual default)', ''],
    ['not JSON', 'result file missing'],
    ['an array', '[]'],
    ['no status', '{"message":"x"}'],
    ['an unknown status', '{"status":"OK"}'],
  ])('%s → null', (_what, value) => {
    expect(parseStepResult(withResult(value))).toBeNull()
  })

  test('a node without outputs has no result', () => {
    expect(parseStepResult({})).toBeNull()
  })

  test('message and files are optional', () => {
    expect(parseStepResult(withResult('{"status":"FAILURE"}'))).toEqual({
      status: 'FAILURE',
      message: '',
      files: {},
    })
  })
})
