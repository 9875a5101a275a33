import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  OUTCOME_FINALIZER,
  RefusedError,
  UnavailableError,
  type ArgoClient,
} from '../../../src/argo/index.js'
import { NAMESPACE, startSandbox, workflowManifest, type Sandbox } from './harness.js'

let sandbox: Sandbox
let argo: ArgoClient

beforeAll(async () => {
  sandbox = await startSandbox({
    server: {
      tokens: {
        'service-token': { user: 'service', rules: [{ verbs: ['*'], resources: ['*'] }] },
        'reader-token': {
          user: 'reader',
          rules: [{ verbs: ['get', 'list', 'watch'], resources: ['workflows'] }],
        },
      },
    },
  })
  argo = sandbox.client('service-token')
})

afterAll(() => sandbox.close())
afterEach(() => sandbox.server.faults.clear())

describe('workflows', () => {
  test('create, get, and a second create with the same name is AlreadyExists', async () => {
    const created = await argo.createWorkflow(workflowManifest('t-rec-1'))
    expect(created.metadata.namespace).toBe(NAMESPACE)
    expect(created.metadata.uid).toBeTruthy()
    expect((await argo.getWorkflow('t-rec-1'))?.metadata.uid).toBe(created.metadata.uid)
    await expect(argo.createWorkflow(workflowManifest('t-rec-1'))).rejects.toBeInstanceOf(AlreadyExistsError)
  })

  test('get of an unknown workflow is null', async () => {
    expect(await argo.getWorkflow('nope')).toBeNull()
  })

  test('dry run admits without storing', async () => {
    const admitted = await argo.dryRunWorkflow(workflowManifest('t-dry-1'))
    expect(admitted.metadata.name).toBe('t-dry-1')
    expect(await argo.getWorkflow('t-dry-1')).toBeNull()
  })

  test('a workflow the API server refuses is RefusedError', async () => {
    const bad = { ...workflowManifest('Not_A_Valid_Name') }
    await expect(argo.createWorkflow(bad)).rejects.toBeInstanceOf(RefusedError)
  })

  test('list follows continue tokens across pages and filters by label', async () => {
    const small = sandbox.client('service-token', { pageSize: 2 })
    for (let seq = 1; seq <= 5; seq++)
      await argo.createWorkflow(workflowManifest(`t-page-${seq}`, { recordId: 'paged', seq }))
    const listed = await small.listWorkflows('compchem.cz/record-id=paged')
    expect(listed.map((wf) => wf.metadata.name).sort()).toEqual([
      't-page-1',
      't-page-2',
      't-page-3',
      't-page-4',
      't-page-5',
    ])
  })
})

describe('patches', () => {
  test('spec.shutdown goes as a real merge patch: other spec fields stay', async () => {
    await argo.createWorkflow(workflowManifest('t-stop-1'))
    const patched = await argo.patchWorkflowSpec('t-stop-1', { shutdown: 'Stop' })
    expect(patched.spec).toMatchObject({ shutdown: 'Stop', entrypoint: 'main', serviceAccountName: 'runner' })
    expect((patched.spec?.templates as unknown[]).length).toBe(1)
    // null removes a field in a merge patch; a JSON patch would have been refused.
    const resumed = await argo.patchWorkflowSpec('t-stop-1', { shutdown: null })
    expect(resumed.spec).not.toHaveProperty('shutdown')
    expect(resumed.spec).toHaveProperty('entrypoint', 'main')
  })

  test('a stale resourceVersion conflicts, and the patch is retried on a fresh read', async () => {
    const created = await argo.createWorkflow(workflowManifest('t-conflict-1'))
    const stale = created.metadata.resourceVersion
    await argo.patchWorkflowSpec('t-conflict-1', { suspend: true })
    const noRetry = sandbox.client('service-token', { conflictRetries: 0 })
    await expect(
      noRetry.patchWorkflowSpec('t-conflict-1', { shutdown: 'Terminate' }, { resourceVersion: stale }),
    ).rejects.toBeInstanceOf(ConflictError)
    const patched = await argo.patchWorkflowSpec(
      't-conflict-1',
      { shutdown: 'Terminate' },
      { resourceVersion: stale },
    )
    expect(patched.spec).toMatchObject({ suspend: true, shutdown: 'Terminate' })
  })

  test('a decision function sees the fresh object after a conflict and may decide to do nothing', async () => {
    await argo.createWorkflow(workflowManifest('t-decide-1'))
    const seen: Array<string | undefined> = []
    let raced = false
    const result = await argo.patchWorkflowSpec('t-decide-1', (current) => {
      seen.push(current.metadata.resourceVersion)
      if (!raced) {
        raced = true
        // Someone else changes the object between our read and our patch.
        const stored = sandbox.store.get('workflows', NAMESPACE, 't-decide-1')!
        sandbox.store.update('workflows', NAMESPACE, {
          ...stored,
          spec: { ...(stored.spec as object), suspend: true },
        })
        return { suspend: false }
      }
      return current.spec?.suspend === true ? null : { suspend: true }
    })
    expect(seen).toHaveLength(2)
    expect(seen[0]).not.toBe(seen[1])
    expect(result.spec?.suspend).toBe(true)
  })

  test('patching a workflow that does not exist is NotFoundError', async () => {
    await expect(argo.patchWorkflowSpec('t-missing', { shutdown: 'Stop' })).rejects.toBeInstanceOf(
      NotFoundError,
    )
  })

  test('finalizers are added once and removed, and removal lets a deleted workflow go', async () => {
    await argo.createWorkflow(workflowManifest('t-final-1'))
    await argo.addFinalizer('t-final-1', OUTCOME_FINALIZER)
    const twice = await argo.addFinalizer('t-final-1', OUTCOME_FINALIZER)
    expect(twice?.metadata.finalizers).toEqual([OUTCOME_FINALIZER])
    sandbox.store.delete('workflows', NAMESPACE, 't-final-1')
    expect((await argo.getWorkflow('t-final-1'))?.metadata.deletionTimestamp).toBeTruthy()
    await argo.removeFinalizer('t-final-1', OUTCOME_FINALIZER)
    expect(await argo.getWorkflow('t-final-1')).toBeNull()
    expect(await argo.removeFinalizer('t-final-1', OUTCOME_FINALIZER)).toBeNull()
  })
})

describe('secrets', () => {
  test('an owned secret points at its workflow and goes with it', async () => {
    const owner = await argo.createWorkflow(workflowManifest('t-secret-1'))
    await argo.createOwnedSecret(
      't-secret-1-token',
      { token: 's3cret' },
      { name: 't-secret-1', uid: owner.metadata.uid! },
    )
    const secret = sandbox.store.get('secrets', NAMESPACE, 't-secret-1-token')!
    expect(secret.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Workflow', name: 't-secret-1', uid: owner.metadata.uid }),
    ])
    expect(Buffer.from((secret.data as Record<string, string>).token!, 'base64').toString()).toBe('s3cret')
    sandbox.store.delete('workflows', NAMESPACE, 't-secret-1')
    expect(sandbox.store.get('secrets', NAMESPACE, 't-secret-1-token')).toBeUndefined()
  })

  test('deleting a secret twice is fine', async () => {
    const owner = await argo.createWorkflow(workflowManifest('t-secret-2'))
    await argo.createOwnedSecret(
      't-secret-2-token',
      { token: 'x' },
      { name: 't-secret-2', uid: owner.metadata.uid! },
    )
    await argo.deleteSecret('t-secret-2-token')
    await argo.deleteSecret('t-secret-2-token')
    expect(sandbox.store.get('secrets', NAMESPACE, 't-secret-2-token')).toBeUndefined()
  })
})

describe('failures', () => {
  test('503 from the API server is UnavailableError with its Retry-After', async () => {
    sandbox.server.faults.failNext({ status: 503, count: 1, verb: 'create', retryAfterSeconds: 7 })
    const error = await argo.createWorkflow(workflowManifest('t-503-1')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect((error as UnavailableError).retryAfterSeconds).toBe(7)
  })

  test('429 and 500 are UnavailableError too', async () => {
    sandbox.server.faults.failNext({ status: 429, count: 1, verb: 'get' })
    await expect(argo.getWorkflow('t-rec-1')).rejects.toBeInstanceOf(UnavailableError)
    sandbox.server.faults.failNext({ status: 500, count: 1, verb: 'list' })
    await expect(argo.listWorkflows()).rejects.toBeInstanceOf(UnavailableError)
  })

  test('RBAC 403 is RefusedError', async () => {
    const reader = sandbox.client('reader-token')
    const error = await reader.createWorkflow(workflowManifest('t-403-1')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RefusedError)
    expect((error as RefusedError).statusCode).toBe(403)
  })

  test('a slow API server times out as UnavailableError', async () => {
    const impatient = sandbox.client('service-token', { requestTimeoutMs: 50 })
    sandbox.server.faults.delayResponses(300)
    const error = await impatient.getWorkflow('t-rec-1').catch((e: unknown) => e)
    sandbox.server.faults.delayResponses(0)
    expect(error).toBeInstanceOf(UnavailableError)
    expect((error as Error).message).toContain('timed out')
    // The sandbox still holds the abandoned request; let it finish so the worker can exit.
    await new Promise((resolve) => setTimeout(resolve, 350))
  })

  test('ping reports health with latency', async () => {
    expect(await argo.ping()).toMatchObject({ ok: true })
    sandbox.server.faults.failNext({ status: 503, count: 1, verb: 'list' })
    const down = await argo.ping()
    expect(down.ok).toBe(false)
    expect(down.latencyMs).toBeGreaterThanOrEqual(0)
  })
})

test('an unreachable API server is UnavailableError', async () => {
  const other = await startSandbox()
  const client = other.client()
  await other.close()
  await expect(client.getWorkflow('x')).rejects.toBeInstanceOf(UnavailableError)
})
