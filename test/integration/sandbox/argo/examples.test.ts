import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { resumeWorkflow } from '../../../../src/sandbox/argo/index.js'
import type { KubeObject } from '../../../../src/sandbox/types.js'
import { getWorkflow, NS, nodesOf, startCluster, waitFor, type Cluster } from './harness.js'

const referenceDir = resolve(process.env.ARGO_REFERENCE_DIR ?? '../shared/argo')
const examplesDir = join(referenceDir, 'examples')
const haveExamples = existsSync(examplesDir)
if (!haveExamples)
  console.log(
    `Argo examples not found at ${examplesDir} (set ARGO_REFERENCE_DIR): skipping the examples test`,
  )

function manifests(): { file: string; object: KubeObject }[] {
  return readdirSync(examplesDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(examplesDir, file), 'utf8'))
        .map((doc) => doc.toJS() as KubeObject | null)
        .filter((object): object is KubeObject => !!object)
        .map((object) => ({ file, object })),
    )
}

;(haveExamples ? describe : describe.skip)('Argo examples run through the controller simulator', () => {
  let cluster: Cluster
  beforeAll(() => {
    cluster = startCluster({ stepSeconds: 1 })
    // templates first, as `kubectl apply` of the examples directory would need
    for (const { object } of haveExamples ? manifests() : []) {
      if (object.kind === 'WorkflowTemplate') cluster.store.create('workflowtemplates', NS, object)
      if (object.kind === 'ClusterWorkflowTemplate')
        cluster.store.create('clusterworkflowtemplates', undefined, object)
    }
  })
  afterAll(() => cluster.close())

  const workflows = haveExamples ? manifests().filter(({ object }) => object.kind === 'Workflow') : []
  test.each(workflows.map(({ file, object }) => [file, object] as const))(
    '%s reaches a terminal phase',
    async (_file, object) => {
      const created = cluster.store.create('workflows', NS, object)
      const name = created.metadata.name!
      const wf = await waitFor(`${name} to finish`, () => {
        const current = getWorkflow(cluster.store, name)
        if (!current) return undefined
        // the suspend example waits for approval: approve it, as `argo resume` would
        if (
          nodesOf(current).some(
            (n) => n.type === 'Suspend' && n.phase === 'Running' && n.displayName === 'approve',
          )
        ) {
          resumeWorkflow(cluster.store, NS, name)
        }
        return ['Succeeded', 'Failed', 'Error'].includes(current.status?.phase ?? '') ? current : undefined
      })
      expect(wf.status?.message ?? '').not.toMatch(/^invalid spec/)
      expect(wf.status?.phase).toBe('Succeeded')
      expect(nodesOf(wf).every((n) => ['Succeeded', 'Skipped', 'Omitted'].includes(n.phase))).toBe(true)
    },
  )
})
