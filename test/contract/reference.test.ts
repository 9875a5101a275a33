// Argo's own reference data against the target: every example is accepted and runs to a terminal phase
// (this needs a controller: the sandbox's simulator, or Argo on a real cluster with CONTRACT_ARGO=1), and
// every real Workflow object in status-samples is accepted and stored as sent.
import { gunzipSync } from 'node:zlib'
import {
  coordinatesOf,
  describeTargets,
  failure,
  labelled,
  referenceManifests,
  until,
  type KubeObject,
  type Target,
} from './target.js'

const examples = referenceManifests('examples')
const statusSamples = referenceManifests('status-samples')
const TERMINAL = ['Succeeded', 'Failed', 'Error']

interface NodeStatus {
  type?: string
  phase?: string
  finishedAt?: string
  message?: string
}

/** Gives the run's prefix to every name, and points template references at the renamed templates. */
function prefixed(target: Target, object: KubeObject, templateNames: Set<string>): KubeObject {
  const rename = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rename)
    if (!value || typeof value !== 'object') return value
    const entries = Object.entries(value as Record<string, unknown>).map(([key, inner]) => {
      if ((key === 'templateRef' || key === 'workflowTemplateRef') && inner && typeof inner === 'object') {
        const ref = inner as { name?: string }
        if (ref.name && templateNames.has(ref.name))
          return [key, { ...ref, name: `${target.prefix}-${ref.name}` }]
      }
      return [key, rename(inner)]
    })
    return Object.fromEntries(entries)
  }
  const renamed = rename(object) as KubeObject
  const { name, generateName } = object.metadata
  renamed.metadata = {
    ...renamed.metadata,
    ...(name ? { name: `${target.prefix}-${name}` } : {}),
    ...(generateName ? { generateName: `${target.prefix}-${generateName}` } : {}),
  }
  delete renamed.metadata.namespace
  return labelled(target, renamed)
}

function nodesOf(workflow: KubeObject): Record<string, NodeStatus> {
  const status = workflow.status as
    { nodes?: Record<string, NodeStatus>; compressedNodes?: string } | undefined
  if (status?.compressedNodes)
    return JSON.parse(gunzipSync(Buffer.from(status.compressedNodes, 'base64')).toString('utf8'))
  return status?.nodes ?? {}
}

/**
 * Resumes a workflow waiting on a suspend node the way `argo resume` does: marks the running suspend
 * nodes Succeeded with an update, retried on 409 since the controller writes the same object.
 */
async function resumeSuspendNodes(target: Target, name: string): Promise<void> {
  const workflows = { ...coordinatesOf(target, 'workflows'), name }
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = (await target.custom.getNamespacedCustomObject(workflows)) as KubeObject
    const nodes = nodesOf(current)
    const waiting = Object.values(nodes).filter((node) => node.type === 'Suspend' && node.phase === 'Running')
    if (waiting.length === 0) return
    for (const node of waiting) {
      node.phase = 'Succeeded'
      node.finishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
      node.message = 'Resumed by the contract suite'
    }
    const status = { ...current.status, nodes } as Record<string, unknown>
    delete status.compressedNodes
    const { code } = await failure(
      target.custom.replaceNamespacedCustomObject({ ...workflows, body: { ...current, status } }),
    ).catch(() => ({ code: 200 }))
    if (code !== 409) return
  }
  throw new Error(`could not resume ${name}: conflicts kept coming`)
}

if (examples) {
  describeTargets(
    'Argo examples reach a terminal phase',
    (t) => {
      const templateManifests = examples.filter(({ object }) => object.kind === 'WorkflowTemplate')
      const workflowManifests = examples.filter(({ object }) => object.kind === 'Workflow')
      const templateNames = new Set(templateManifests.map(({ object }) => object.metadata.name!))

      beforeAll(async () => {
        const target = t()
        for (const { object } of templateManifests)
          await target.custom.createNamespacedCustomObject({
            ...coordinatesOf(target, 'workflowtemplates'),
            body: prefixed(target, object, templateNames),
          })
      })

      test.each(workflowManifests.map(({ file, object }) => [file, object] as const))(
        '%s is accepted and finishes',
        async (_file, object) => {
          const target = t()
          const workflows = coordinatesOf(target, 'workflows')
          const created = (await target.custom.createNamespacedCustomObject({
            ...workflows,
            body: prefixed(target, object, templateNames),
          })) as KubeObject
          const name = created.metadata.name!
          const finished = await until(
            `${name} to finish`,
            async () => {
              const current = (await target.custom.getNamespacedCustomObject({
                ...workflows,
                name,
              })) as KubeObject
              const phase = current.status?.phase as string | undefined
              if (phase && TERMINAL.includes(phase)) return current
              if (Object.values(nodesOf(current)).some((n) => n.type === 'Suspend' && n.phase === 'Running'))
                await resumeSuspendNodes(target, name)
              return undefined
            },
            target.kind === 'sandbox' ? 20_000 : 240_000,
          )
          expect(String(finished.status?.message ?? '')).not.toMatch(/^invalid spec/)
          expect(TERMINAL).toContain(finished.status?.phase)
          // The sandbox runs no images: every step succeeds unless scripted otherwise.
          if (target.kind === 'sandbox') expect(finished.status?.phase).toBe('Succeeded')
        },
        300_000,
      )
    },
    { needsArgo: true },
  )
}

/** Fields the API server sets; a client sending a stored object back leaves them out. */
const SERVER_SET = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'selfLink', 'managedFields']

if (statusSamples) {
  describeTargets('Argo status samples are stored as sent', (t) => {
    test.each(statusSamples.map(({ file, object }) => [file, object] as const))(
      '%s is accepted, status included',
      async (_file, object) => {
        const target = t()
        const metadata = { ...object.metadata }
        for (const field of [...SERVER_SET, 'namespace', 'ownerReferences']) delete metadata[field]
        const sample = prefixed(
          target,
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', ...object, metadata },
          new Set(),
        )
        const created = (await target.custom.createNamespacedCustomObject({
          ...coordinatesOf(target, 'workflows'),
          body: sample,
        })) as KubeObject
        expect(created.metadata.uid).toBeTruthy()
        expect(created.metadata.labels).toEqual(sample.metadata.labels)
        expect(created.spec).toEqual(object.spec)
        expect(created.status).toEqual(object.status)
      },
    )
  })
}

// Jest refuses a file without tests: name what is skipped when the reference data is absent.
if (!examples) test.skip('Argo examples reach a terminal phase (reference data absent)', () => undefined)
if (!statusSamples)
  test.skip('Argo status samples are stored as sent (reference data absent)', () => undefined)
