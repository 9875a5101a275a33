// Node ids and pod names against Argo's own behaviour. Real Workflow objects with status come from
// ARGO_REFERENCE_DIR (default ../shared/argo), read at test time and never copied.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { fnv32a, nodeIdFor } from '../../../src/argo/fnv.js'
import { POD_NAME_FORMAT_ANNOTATION } from '../../../src/argo/labels.js'
import { podNameOf, templateNameOf } from '../../../src/argo/pod-name.js'
import type { NodeStatus, Workflow } from '../../../src/argo/types.js'

describe('fnv32a', () => {
  test('matches the FNV-1a 32-bit reference values', () => {
    expect(fnv32a('')).toBe(0x811c9dc5)
    expect(fnv32a('a')).toBe(0xe40c292c)
    expect(fnv32a('foobar')).toBe(0xbf9cf968)
  })

  test('hashes UTF-8 bytes, not UTF-16 code units', () => {
    expect(fnv32a('é')).not.toBe(fnv32a('\u00e9'.normalize('NFD')))
    expect(fnv32a('é')).toBeGreaterThan(0)
  })
})

const referenceDir = path.resolve(process.env.ARGO_REFERENCE_DIR ?? '../shared/argo')
const samplesDir = path.join(referenceDir, 'status-samples')
const samplesPresent = existsSync(samplesDir)
if (!samplesPresent) console.log(`Argo status samples not found at ${samplesDir}: node id comparison skipped`)
const describeWithSamples = samplesPresent ? describe : describe.skip

describeWithSamples('node ids recomputed from node names match real Argo workflows', () => {
  const samples = samplesPresent
    ? readdirSync(samplesDir)
        .filter((file) => /\.ya?ml$/.test(file))
        .map((file) => [file, parse(readFileSync(path.join(samplesDir, file), 'utf8')) as Workflow] as const)
    : []

  test('there are samples with nodes', () => {
    expect(samples.some(([, wf]) => Object.keys(wf.status?.nodes ?? {}).length > 0)).toBe(true)
  })

  test.each(samples)('%s', (_file, workflow) => {
    const name = workflow.metadata.name!
    const nodes = Object.values(workflow.status?.nodes ?? {})
    expect(nodes.length).toBeGreaterThan(0)
    for (const node of nodes) expect(nodeIdFor(name, node.name)).toBe(node.id)
  })

  test.each(samples)('%s: pod names take the hash from the node id', (_file, workflow) => {
    const name = workflow.metadata.name!
    for (const node of Object.values(workflow.status?.nodes ?? {}).filter((n) => n.type === 'Pod')) {
      expect(podNameOf(workflow, node)).toBe(`${name}-${node.templateName}-${fnv32a(node.name)}`)
    }
  })
})

describe('podNameOf', () => {
  const workflow = (name: string, annotations?: Record<string, string>): Workflow => ({
    metadata: { name, annotations },
  })
  const node = (wf: string, nodeName: string, extra: Partial<NodeStatus> = {}): NodeStatus => ({
    id: nodeIdFor(wf, nodeName),
    name: nodeName,
    type: 'Pod',
    ...extra,
  })

  test('uses templateRef.template for referenced templates', () => {
    const wf = workflow('gaussian-abcd1-ef234-1')
    const step = node(wf.metadata.name!, 'gaussian-abcd1-ef234-1.parse', {
      templateRef: { name: 'gaussian-tools', template: 'parse-log' },
    })
    expect(templateNameOf(step)).toBe('parse-log')
    expect(podNameOf(wf, step)).toBe(
      `gaussian-abcd1-ef234-1-parse-log-${fnv32a('gaussian-abcd1-ef234-1.parse')}`,
    )
  })

  test('keeps a collision suffix that is part of the node id', () => {
    const wf = workflow('wf')
    const step = { ...node('wf', 'wf.a', { templateName: 't' }), id: `wf-${fnv32a('wf.a')}-1` }
    expect(podNameOf(wf, step)).toBe(`wf-t-${fnv32a('wf.a')}-1`)
  })

  test('v1 pod names are the node id', () => {
    const wf = workflow('wf', { [POD_NAME_FORMAT_ANNOTATION]: 'v1' })
    const step = node('wf', 'wf.a', { templateName: 't' })
    expect(podNameOf(wf, step)).toBe(step.id)
  })

  test('a pod for the root node is named after the workflow', () => {
    const wf = workflow('wf')
    expect(podNameOf(wf, { id: 'wf', name: 'wf', type: 'Pod', templateName: 'main' })).toBe('wf')
  })

  test('container nodes of a containerSet share the pod of their boundary node', () => {
    const wf = workflow('wf')
    const boundary = node('wf', 'wf.set', { templateName: 'set' })
    const container = node('wf', 'wf.set.main', {
      type: 'Container',
      boundaryID: boundary.id,
      templateName: 'set',
    })
    expect(podNameOf(wf, container)).toBe(podNameOf(wf, boundary))
  })

  test('long template names are cut so the pod name fits 253 characters and keeps its hash', () => {
    const wf = workflow('w'.repeat(63))
    const step = node(wf.metadata.name!, 'x.step', { templateName: 't'.repeat(250) })
    const podName = podNameOf(wf, step)
    expect(podName.length).toBeLessThanOrEqual(253)
    expect(podName.endsWith(`-${fnv32a('x.step')}`)).toBe(true)
  })
})
