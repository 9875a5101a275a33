import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { fnv32a, nodeId, podName } from '../../../../src/sandbox/argo/names.js'

function fnv32aBytes(bytes: number[]): number {
  let hash = 2166136261n
  for (const b of bytes) hash = ((hash ^ BigInt(b)) * 16777619n) % 2n ** 32n
  return Number(hash)
}

const referenceDir = resolve(process.env.ARGO_REFERENCE_DIR ?? '../shared/argo')
const samplesDir = join(referenceDir, 'status-samples')
const haveSamples = existsSync(samplesDir)
if (!haveSamples)
  console.log(`Argo status samples not found at ${samplesDir} (set ARGO_REFERENCE_DIR): skipping those tests`)

describe('fnv32a', () => {
  test('matches the FNV-1a reference vectors', () => {
    expect(fnv32a('')).toBe(2166136261)
    expect(fnv32a('a')).toBe(0xe40c292c)
    expect(fnv32a('foobar')).toBe(0xbf9cf968)
  })

  test('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // 'é' is two bytes in UTF-8, so it must hash like the two-character string of those bytes' code points
    expect(fnv32a('é')).toBe(fnv32aBytes([0xc3, 0xa9]))
  })
})

describe('node ids', () => {
  test('the root node id is the workflow name', () => {
    expect(nodeId('wf-abc', 'wf-abc')).toBe('wf-abc')
  })
})

;(haveSamples ? describe : describe.skip)('node ids of real Argo workflows (status-samples)', () => {
  const files = haveSamples ? readdirSync(samplesDir).filter((f) => f.endsWith('.yaml')) : []
  test.each(files)('%s: every node id is recomputed from its node name', (file) => {
    const wf = parse(readFileSync(join(samplesDir, file), 'utf8')) as {
      metadata: { name: string }
      status: { nodes: Record<string, { id: string; name: string }> }
    }
    const nodes = Object.values(wf.status.nodes)
    expect(nodes.length).toBeGreaterThan(0)
    for (const node of nodes) expect(nodeId(wf.metadata.name, node.name)).toBe(node.id)
  })
})

describe('pod names (v2)', () => {
  test('are <workflow>-<template>-<hash of the node name>', () => {
    const node = { id: nodeId('dag-diamond-x', 'dag-diamond-x.A'), name: 'dag-diamond-x.A' }
    expect(podName('dag-diamond-x', node, 'echo')).toBe(`dag-diamond-x-echo-${fnv32a('dag-diamond-x.A')}`)
  })

  test('a root pod node runs in a pod named like the workflow', () => {
    expect(
      podName('hello-world-abcde', { id: 'hello-world-abcde', name: 'hello-world-abcde' }, 'hello-world'),
    ).toBe('hello-world-abcde')
  })

  test('take the hash from the node id, collision suffix included', () => {
    expect(podName('wf', { id: 'wf-123-1', name: 'wf.a' }, 't')).toBe('wf-t-123-1')
  })

  test('cut the prefix, never the hash, to stay within 253 characters', () => {
    const wf = 'w'.repeat(200)
    const node = { id: nodeId(wf, `${wf}.task`), name: `${wf}.task` }
    const name = podName(wf, node, 't'.repeat(100))
    expect(name.length).toBeLessThanOrEqual(253)
    expect(name.endsWith(`-${fnv32a(`${wf}.task`)}`)).toBe(true)
    expect(name.startsWith(`${wf}-ttt`)).toBe(true)
  })

  test('without a template name the prefix is the workflow name', () => {
    expect(podName('wf', { id: nodeId('wf', 'wf.a'), name: 'wf.a' }, '')).toBe(`wf-${fnv32a('wf.a')}`)
  })
})
