// `fileprocessor finalizers release` against the sandbox cluster's Kubernetes API: it removes only the
// service's finalizer, only where asked, lets deleted Workflows go, and survives a concurrent change.
import { KubeConfig } from '@kubernetes/client-node'
import { Command } from 'commander'
import {
  kubeFinalizerApi,
  registerFinalizerCommands,
  releaseCommand,
  type FinalizerApi,
  type FinalizerCommandContext,
} from '../../../src/cli/finalizers.js'
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js'
import type { KubeObject } from '../../../src/sandbox/types.js'

const NS = 'fin'
const OURS = 'compchem.cz/outcome'
const OTHER = 'example.org/keep'

function capture(kubeConfig: KubeConfig, env: NodeJS.ProcessEnv = { KUBE_NAMESPACE: NS }) {
  const lines: string[] = []
  const errors: string[] = []
  const context: FinalizerCommandContext = {
    env,
    kubeConfig,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
  }
  return { context, lines, errors }
}

describe('fileprocessor finalizers release', () => {
  let cluster: SandboxCluster
  let kubeConfig: KubeConfig

  beforeAll(async () => {
    cluster = await startSandboxCluster({ argoServer: false })
    kubeConfig = new KubeConfig()
    kubeConfig.loadFromString(cluster.kube.kubeconfig())
  })

  afterAll(async () => {
    await cluster?.close()
  })

  let counter = 0
  /** A Workflow as the service leaves it: labelled with its record, holding the given finalizers. */
  function workflow(recordId: string, finalizers: string[]): string {
    const name = `xyz-structure-${recordId}-${++counter}`
    cluster.store.create('workflows', NS, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        name,
        labels: {
          'app.kubernetes.io/managed-by': 'compchem-fileprocessor',
          'compchem.cz/record-id': recordId,
        },
        annotations: { 'compchem.cz/record-id': recordId },
        finalizers,
      },
      spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: {} }] },
      // Finished (the controller simulator leaves it alone) with its outcome never recorded.
      status: { phase: 'Succeeded', finishedAt: '2025-01-01T00:00:00Z' },
    } as KubeObject)
    return name
  }
  const finalizersOf = (name: string) => cluster.store.get('workflows', NS, name)?.metadata.finalizers ?? []
  const exists = (name: string) => cluster.store.get('workflows', NS, name) !== undefined

  test('--dry-run lists the Workflows holding the finalizer and changes nothing', async () => {
    const held = workflow('dry01', [OURS])
    const free = workflow('dry01', [OTHER])
    const { context, lines } = capture(kubeConfig)

    expect(await releaseCommand({ dryRun: true, record: 'dry01' }, context)).toBe(0)

    expect(lines).toEqual([
      `would release ${held} (record dry01, phase Succeeded)`,
      'dry run: 1 Workflows would be released (namespace fin, record dry01)',
    ])
    expect(lines.join('\n')).not.toContain(free)
    expect(finalizersOf(held)).toEqual([OURS])
  })

  test("removes only the service's finalizer, only from the record asked for", async () => {
    const both = workflow('rec01', [OTHER, OURS])
    const ours = workflow('rec01', [OURS])
    const otherRecord = workflow('rec02', [OURS])
    const { context, lines } = capture(kubeConfig)

    expect(await releaseCommand({ record: 'rec01' }, context)).toBe(0)

    expect(finalizersOf(both)).toEqual([OTHER])
    expect(finalizersOf(ours)).toEqual([])
    expect(finalizersOf(otherRecord)).toEqual([OURS])
    expect(lines).toEqual([
      `released ${both} (record rec01, phase Succeeded)`,
      `released ${ours} (record rec01, phase Succeeded)`,
      '2 released, 0 needed nothing, 0 failed (namespace fin, record rec01)',
    ])
  })

  test('a Workflow deleted while it held the finalizer is gone once released', async () => {
    const name = workflow('del01', [OURS])
    cluster.store.delete('workflows', NS, name)
    expect(exists(name)).toBe(true)
    const { context, lines } = capture(kubeConfig)

    expect(await releaseCommand({ record: 'del01' }, context)).toBe(0)

    expect(lines[0]).toBe(`released ${name} (record del01, phase Succeeded, being deleted)`)
    expect(exists(name)).toBe(false)
  })

  test('a Workflow changed between the read and the patch is read again, nothing else lost', async () => {
    const name = workflow('race01', [OURS, OTHER])
    const real = kubeFinalizerApi(kubeConfig, NS)
    let raced = false
    // Another writer adds a finalizer in front of ours after the list: the index and the
    // resourceVersion the first patch tests are both stale.
    const racing: FinalizerApi = {
      ...real,
      patch: async (target, operations) => {
        if (!raced) {
          raced = true
          const current = cluster.store.get('workflows', NS, target)!
          cluster.store.update('workflows', NS, {
            ...current,
            metadata: { ...current.metadata, finalizers: ['example.org/first', ...finalizersOf(target)] },
          })
        }
        return real.patch(target, operations)
      },
    }
    const { context, lines } = capture(kubeConfig)

    expect(await releaseCommand({ record: 'race01' }, { ...context, api: racing })).toBe(0)

    expect(raced).toBe(true)
    expect(finalizersOf(name)).toEqual(['example.org/first', OTHER])
    expect(lines.at(-1)).toBe('1 released, 0 needed nothing, 0 failed (namespace fin, record race01)')
  })

  test('runs as `finalizers release` through commander with the namespace from KUBE_NAMESPACE', async () => {
    const name = workflow('cmd01', [OURS])
    const { context, lines } = capture(kubeConfig)
    const program = new Command().exitOverride()
    registerFinalizerCommands(program, context)
    const exitCode = process.exitCode
    try {
      await program.parseAsync(['finalizers', 'release', '--record', 'cmd01'], { from: 'user' })
      expect(process.exitCode).toBe(0)
    } finally {
      process.exitCode = exitCode
    }
    expect(finalizersOf(name)).toEqual([])
    expect(lines).toContain(`released ${name} (record cmd01, phase Succeeded)`)
  })

  test('another namespace has nothing to release; an empty --record is refused', async () => {
    const { context, lines } = capture(kubeConfig, { KUBE_NAMESPACE: 'elsewhere' })
    expect(await releaseCommand({}, context)).toBe(0)
    expect(lines).toEqual([`no Workflow holds ${OURS} (namespace elsewhere)`])

    const refused = capture(kubeConfig)
    expect(await releaseCommand({ record: ' ' }, refused.context)).toBe(2)
    expect(refused.errors).toEqual(['finalizers release: --record must not be empty'])
  })
})
