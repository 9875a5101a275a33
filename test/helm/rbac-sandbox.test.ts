// The chart's Role for the service (helm/compchem-fileprocessor/files/rbac/service-rules.yaml) is
// exactly what the service needs: every Kubernetes call the service makes passes against the
// sandbox API server with only those grants, and taking any one verb away breaks at least one call.
// Needs no helm: the Role template renders that file as is (checked in manifests.test.ts).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { KubeConfig } from '@kubernetes/client-node'
import pino from 'pino'
import { parse } from 'yaml'
import { createKubeAccess, WorkflowInformer, type ArgoClient, type Workflow } from '../../src/argo/index.js'
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../src/argo/labels.js'
import {
  MemoryPodLogStore,
  MemoryStore,
  startKubeApiServer,
  type KubeApiServer,
  type RbacRule,
  type RbacTable,
} from '../../src/sandbox/kube/index.js'
import type { KubeObject } from '../../src/sandbox/types.js'
import type { WorkflowType } from '../../src/config/index.js'
import { templateDigestOf } from '../../src/processing/reuse.js'

const NAMESPACE = 'compchem-runs'
const RULES_FILE = path.resolve('helm/compchem-fileprocessor/files/rbac/service-rules.yaml')

interface PolicyRule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

const policyRules = parse(readFileSync(RULES_FILE, 'utf8')) as PolicyRule[]

/** One grant per (resource, verb), so a table can leave exactly one out. */
const grants = policyRules.flatMap((rule) =>
  rule.resources.flatMap((resource) => rule.verbs.map((verb) => ({ resource, verb }))),
)

function sandboxRules(skip?: { resource: string; verb: string }): RbacRule[] {
  return grants
    .filter((grant) => !(skip && grant.resource === skip.resource && grant.verb === skip.verb))
    .map((grant) => ({ resources: [grant.resource], verbs: [grant.verb], namespaces: [NAMESPACE] }))
}

const tokenFor = (grant?: { resource: string; verb: string }) =>
  grant ? `without-${grant.resource.replace('/', '-')}-${grant.verb}` : 'exactly-the-role'

const silent = pino({ level: 'silent' })
let server: KubeApiServer
let store: MemoryStore
let logs: MemoryPodLogStore
let counter = 0

beforeAll(async () => {
  store = new MemoryStore()
  logs = new MemoryPodLogStore()
  const tokens: RbacTable = { [tokenFor()]: { user: 'fileprocessor', rules: sandboxRules() } }
  for (const grant of grants) tokens[tokenFor(grant)] = { user: 'fileprocessor', rules: sandboxRules(grant) }
  server = await startKubeApiServer({ store, logs, host: '127.0.0.1', port: 0, tokens })
})

afterAll(() => server.close())

function manifest(name: string): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    spec: {
      entrypoint: 'main',
      templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }],
    },
  }
}

/** A Workflow put straight into the store, as if someone else had made it. */
function seedWorkflow(): Workflow {
  const object = manifest(`rbac-${++counter}`) as unknown as KubeObject
  return store.create('workflows', NAMESPACE, object) as unknown as Workflow
}

interface Caller {
  argo: ArgoClient
  kubeConfig: KubeConfig
}

function caller(token: string): Caller {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromString(server.kubeconfig(token))
  return { kubeConfig, argo: createKubeAccess({ kubeConfig, namespace: NAMESPACE, logger: silent }) }
}

/** Informer: list, then watch; fails as soon as it logs a failure instead of seeing a new Workflow. */
async function informerSeesNewWorkflow({ argo }: Caller): Promise<void> {
  const warnings: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      warnings.push(chunk.toString())
      done()
    },
  })
  const informer = new WorkflowInformer({ client: argo, logger: pino({ level: 'warn' }, sink) })
  try {
    await informer.start()
    await waitFor(() => informer.synced() || warnings.length > 0)
    if (!informer.synced()) throw new Error(`informer did not sync: ${warnings.join(' ')}`)
    const seeded = seedWorkflow()
    await waitFor(() => informer.get(seeded.metadata.name!) !== undefined || warnings.length > 0)
    if (warnings.length > 0) throw new Error(`informer failed: ${warnings.join(' ')}`)
  } finally {
    await informer.stop()
  }
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function readPodLog({ argo }: Caller): Promise<void> {
  const pod = `rbac-pod-${++counter}`
  store.create('pods', NAMESPACE, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod },
    spec: { containers: [{ name: 'main' }] },
  })
  logs.append(NAMESPACE, pod, 'main', 'hello\n')
  logs.setState(NAMESPACE, pod, 'main', 'terminated')
  const out = new PassThrough()
  let text = ''
  out.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const stream = await argo.streamPodLogs(pod, { container: 'main' }, out)
  await stream.done
  if (text !== 'hello\n') throw new Error(`unexpected log ${JSON.stringify(text)}`)
}

/** Every kind of Kubernetes call the service makes (src/argo/argo-client.ts, informer.ts). */
const operations: Array<{ name: string; run: (caller: Caller) => Promise<unknown> }> = [
  { name: 'create a Workflow', run: ({ argo }) => argo.createWorkflow(manifest(`rbac-${++counter}`)) },
  { name: 'dry-run a Workflow', run: ({ argo }) => argo.dryRunWorkflow(manifest(`rbac-${++counter}`)) },
  {
    name: 'get a Workflow',
    run: async ({ argo }) => {
      if (!(await argo.getWorkflow(seedWorkflow().metadata.name!))) throw new Error('not found')
    },
  },
  {
    name: 'list Workflows',
    run: ({ argo }) => argo.listWorkflows(`${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`),
  },
  { name: 'list and watch Workflows (informer)', run: informerSeesNewWorkflow },
  {
    name: 'patch a Workflow spec (stop, suspend, resume)',
    run: ({ argo }) => argo.patchWorkflowSpec(seedWorkflow().metadata.name!, { suspend: true }),
  },
  {
    name: 'add and remove the outcome finalizer',
    run: async ({ argo }) => {
      const name = seedWorkflow().metadata.name!
      await argo.addFinalizer(name, 'compchem.cz/outcome')
      await argo.removeFinalizer(name, 'compchem.cz/outcome')
    },
  },
  {
    name: 'create and delete a run token Secret',
    run: async ({ argo }) => {
      const owner = seedWorkflow()
      const name = `${owner.metadata.name!}-token`
      await argo.createOwnedSecret(
        name,
        { token: 'not-a-token' },
        { name: owner.metadata.name!, uid: owner.metadata.uid! },
      )
      await argo.deleteSecret(name)
    },
  },
  { name: 'read a step log', run: readPodLog },
  {
    name: 'read a WorkflowTemplate (template digest for reuse)',
    run: async ({ argo }) => {
      const name = `tpl-${++counter}`
      store.create('workflowtemplates', NAMESPACE, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'WorkflowTemplate',
        metadata: { name, namespace: NAMESPACE },
        spec: { templates: [{ name: 'main', container: { image: 'alpine' } }] },
      })
      const type = {
        steps: [{ name: 'main', templateRef: { name, template: 'main' } }],
      } as unknown as WorkflowType
      // The digest swallows the failure (no digest, no reuse) and logs it: surface what it logged.
      let logged = ''
      const logger = pino(
        { level: 'warn' },
        new Writable({ write: (chunk, _e, done) => done(void (logged += chunk)) }),
      )
      if ((await templateDigestOf({ argo, logger }, type)) === null)
        throw new Error(`template not readable: ${logged}`)
    },
  },
  {
    name: 'health ping',
    run: async ({ argo }) => {
      const result = await argo.ping()
      if (!result.ok) throw new Error(result.error)
    },
  },
]

describe('the service Role (files/rbac/service-rules.yaml)', () => {
  test('names only the verbs Kubernetes defines, each once', () => {
    const known = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'])
    for (const rule of policyRules) {
      expect(rule.verbs.every((verb) => known.has(verb))).toBe(true)
      expect(new Set(rule.verbs).size).toBe(rule.verbs.length)
    }
    expect(grants.length).toBeGreaterThan(0)
  })

  test.each(operations.map((operation) => [operation.name, operation]))(
    'is enough to %s',
    async (_name, operation) => {
      await operation.run(caller(tokenFor()))
    },
  )

  test.each(grants.map((grant) => [`${grant.verb} ${grant.resource}`, grant]))(
    'needs %s: without it some call of the service is refused',
    async (_name, grant) => {
      const limited = caller(tokenFor(grant))
      const refused: string[] = []
      for (const operation of operations) {
        try {
          await operation.run(limited)
        } catch (error) {
          refused.push(`${operation.name}: ${(error as Error).message}`)
        }
      }
      expect(refused.length).toBeGreaterThan(0)
      expect(refused.join('\n')).toMatch(/forbidden|403/i)
    },
  )
})
