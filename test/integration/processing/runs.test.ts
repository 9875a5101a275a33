// Reading runs over HTTP: supertest → the service → sandbox cluster over HTTP (Kubernetes API and
// Argo controller simulator) → PGlite. Runs are made as the start use case makes them (a row, then
// the Workflow); statuses come from the informer, the API server and stored outcomes.
import request from 'supertest'
import type { RunDetail, RunList, RunSummary } from '../../../src/processing/status.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import {
  createRun,
  forgetWorkflow,
  insertRunRow,
  storeOutcome,
  submitWorkflow,
  until,
} from './runs-fixtures.js'

let stack: TestStack
const GRACE_SECONDS = 2

beforeAll(async () => {
  stack = await startTestStack({ env: { PENDING_GRACE_SECONDS: String(GRACE_SECONDS) } })
  await stack.service.context.informer.whenSynced()
})

afterAll(async () => {
  await stack?.close()
})

// Each test uses its own seqs on the shared record, so tests never see each other's runs by name.
let nextSeq = 100
const seq = () => nextSeq++

const get = (path: string, token: string | null = stack.tokens.alice) => {
  const req = request(stack.service.app).get(path)
  return token ? req.set('Authorization', `Bearer ${token}`) : req
}

async function listed(name: string, recordId = stack.recordId): Promise<RunSummary | undefined> {
  const res = await get(`/api/v1/records/${recordId}/workflows?limit=1000`).expect(200)
  return (res.body as RunList).items.find((item) => item.name === name)
}

async function phasesUntilTerminal(name: string, seenBefore: string[]): Promise<string[]> {
  const seen = [...seenBefore]
  await until(`${name} to end`, async () => {
    const phase = (await listed(name))?.phase
    if (phase && seen.at(-1) !== phase) seen.push(phase)
    return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error'
  })
  return seen
}

describe('a run in the list follows Argo', () => {
  test('from Pending to Succeeded', async () => {
    const row = await insertRunRow(stack, { recordId: stack.recordId, seq: seq() })
    // Recorded, not yet in Argo, young: Pending.
    const before = await listed(row.name)
    expect(before).toMatchObject({ phase: 'Pending', statusSource: 'pending', progress: null })
    await submitWorkflow(stack, row, {
      summarize: { seconds: 20, result: { status: 'SUCCESS', message: 'ok' } },
    })
    const phases = await phasesUntilTerminal(row.name, [before!.phase])
    expect(phases).toEqual(['Pending', 'Running', 'Succeeded'])
    const done = await listed(row.name)
    expect(done).toMatchObject({
      seq: row.seq,
      type: 'gaussian-log',
      files: ['water-dimer.log'],
      statusSource: 'argo',
      message: null,
    })
    expect(done?.progress).toMatch(/^(\d+)\/\1$/)
    expect(Date.parse(done!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done!.startedAt!))
  })

  test('from Pending to Failed, with Argo’s message', async () => {
    const row = await insertRunRow(stack, { recordId: stack.recordId, seq: seq() })
    const before = await listed(row.name)
    await submitWorkflow(stack, row, { summarize: { seconds: 20, exitCode: 3 } })
    const phases = await phasesUntilTerminal(row.name, [before!.phase])
    expect(phases).toEqual(['Pending', 'Running', 'Failed'])
    expect((await listed(row.name))?.message).toBeTruthy()
  })
})

test('a run Argo never had is Pending during the grace period, then NotFound', async () => {
  const row = await insertRunRow(stack, { recordId: stack.recordId, seq: seq() })
  expect((await listed(row.name))?.phase).toBe('Pending')
  const notFound = await until('NotFound', async () => {
    const item = await listed(row.name)
    return item?.phase === 'NotFound' ? item : undefined
  })
  expect(notFound).toMatchObject({ statusSource: 'not-found', progress: null, startedAt: null })
  const detail = (await get(`/api/v1/workflows/${row.name}`).expect(200)).body as RunDetail
  expect(detail).toMatchObject({ phase: 'NotFound', steps: [], outcome: null })
})

test('steps with results and pod names matching the sandbox’s pods', async () => {
  // Pods of a run that succeeded are garbage-collected (podGC), so remember every pod created.
  const pods = new Set<string>()
  const unsubscribe = stack.cluster.store.subscribe((event) => {
    if (event.resource === 'pods' && event.type === 'ADDED') pods.add(event.object.metadata.name ?? '')
  })
  const row = await createRun(stack, {
    recordId: stack.recordId,
    seq: seq(),
    type: 'gromacs-tpr',
    files: ['md/topol.tpr'],
    parameters: { nsteps: 10 },
    behavior: {
      dump: { result: { status: 'PARTIAL', message: 'no velocities', files: { 'md/topol.tpr': 'PARTIAL' } } },
      mdrun: { result: { status: 'SUCCESS', message: '10 steps', files: { 'md/topol.tpr': 'SUCCESS' } } },
    },
  })
  await until('the run to succeed', async () => (await listed(row.name))?.phase === 'Succeeded')
  const detail = (await get(`/api/v1/workflows/${row.name}`).expect(200)).body as RunDetail
  expect(detail).toMatchObject({
    name: row.name,
    seq: row.seq,
    type: 'gromacs-tpr',
    recordId: stack.recordId,
    files: ['md/topol.tpr'],
    parameters: { nsteps: 10 },
    phase: 'Succeeded',
  })
  const byName = Object.fromEntries(detail.steps.map((step) => [step.displayName, step]))
  expect(Object.keys(byName)).toEqual(
    expect.arrayContaining(['read-files', 'dump', 'short-run', 'write-files']),
  )
  expect(byName['dump']?.result).toEqual({
    status: 'PARTIAL',
    message: 'no velocities',
    files: { 'md/topol.tpr': 'PARTIAL' },
    source: 'step',
  })
  expect(byName['short-run']?.result).toMatchObject({
    status: 'SUCCESS',
    message: '10 steps',
    source: 'step',
  })
  // Steps that report nothing are judged by their phase.
  expect(byName['read-files']?.result).toMatchObject({ status: 'SUCCESS', source: 'phase' })
  unsubscribe()
  expect(detail.steps).toHaveLength(pods.size)
  for (const step of detail.steps) {
    expect(pods).toContain(step.podName)
    expect(step.phase).toBe('Succeeded')
    expect(step.startedAt).toBeTruthy()
  }
})

test('the stored outcome is shown once Argo has forgotten the run', async () => {
  const row = await createRun(stack, {
    recordId: stack.recordId,
    seq: seq(),
    behavior: { summarize: { result: { status: 'SUCCESS', message: 'E = -152.87' } } },
  })
  await until('the run to succeed', async () => (await listed(row.name))?.phase === 'Succeeded')
  const live = (await get(`/api/v1/workflows/${row.name}`).expect(200)).body as RunDetail
  // The service's outcome writer keeps the ended run, then lets the Workflow go; Argo's GC deletes it.
  const stored = await until('the outcome row', async () => {
    const detail = (await get(`/api/v1/workflows/${row.name}`).expect(200)).body as RunDetail
    return detail.outcome ?? undefined
  })
  await forgetWorkflow(stack, row.name)
  await until('the informer to drop it', () => stack.service.context.informer.get(row.name) === undefined)
  expect(await stack.service.context.argo.getWorkflow(row.name)).toBeNull()

  const summary = await listed(row.name)
  expect(summary).toMatchObject({
    phase: 'Succeeded',
    statusSource: 'outcome',
    progress: live.progress,
    startedAt: stored.startedAt,
    finishedAt: stored.finishedAt,
  })
  expect(Date.parse(summary!.startedAt!)).toBe(Date.parse(live.startedAt!))
  const detail = (await get(`/api/v1/workflows/${row.name}`).expect(200)).body as RunDetail
  expect(detail.statusSource).toBe('outcome')
  expect(detail.steps).toEqual(live.steps)
  expect(detail.steps.find((step) => step.displayName === 'summarize')?.result).toMatchObject({
    status: 'SUCCESS',
    message: 'E = -152.87',
  })
  expect(detail.outcome).toMatchObject({ attempt: 1, phase: 'Succeeded' })
})

describe('pagination and filters', () => {
  // Alice's second record holds only these runs; outcomes make their phases deterministic.
  const phases = ['Succeeded', 'Failed', 'Succeeded', 'Error', 'Failed', 'Succeeded', 'Succeeded']
  let names: string[]

  beforeAll(async () => {
    names = []
    for (const [index, phase] of phases.entries()) {
      const type = index % 2 ? 'gromacs-tpr' : 'gaussian-log'
      const files = index === 3 ? ['shared.log', 'other.log'] : [`file-${index}.log`]
      const row = await insertRunRow(stack, { recordId: stack.emptyRecordId, seq: index + 1, type, files })
      await storeOutcome(stack, row, { phase })
      names.push(row.name)
    }
  })

  const path = (query: string) => `/api/v1/records/${stack.emptyRecordId}/workflows?${query}`

  async function allPages(query: string): Promise<{ pages: RunSummary[][]; items: RunSummary[] }> {
    const pages: RunSummary[][] = []
    let cursor: string | null = null
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      const body = (await get(path(query + suffix)).expect(200)).body as RunList
      pages.push(body.items)
      cursor = body.nextCursor
    } while (cursor)
    return { pages, items: pages.flat() }
  }

  test('newest first, page by page, nothing skipped or repeated', async () => {
    const { pages, items } = await allPages('limit=3')
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1])
    expect(items.map((item) => item.name)).toEqual([...names].reverse())
    expect(items.map((item) => item.seq)).toEqual([7, 6, 5, 4, 3, 2, 1])
    expect(items.map((item) => item.phase)).toEqual([...phases].reverse())
  })

  test('phase filter fills pages over the database rows', async () => {
    const { pages, items } = await allPages('limit=2&phase=Succeeded')
    expect(items.map((item) => item.seq)).toEqual([7, 6, 3, 1])
    expect(pages.map((page) => page.length)).toEqual([2, 2])
    const failedOrError = await allPages('limit=10&phase=Failed,Error')
    expect(failedOrError.items.map((item) => item.seq)).toEqual([5, 4, 2])
  })

  test('type and file filters', async () => {
    const byType = await allPages('type=gromacs-tpr&limit=2')
    expect(byType.items.map((item) => item.seq)).toEqual([6, 4, 2])
    const byFile = await allPages('file=shared.log')
    expect(byFile.items).toHaveLength(1)
    expect(byFile.items[0]).toMatchObject({ seq: 4, files: ['shared.log', 'other.log'], phase: 'Error' })
    expect((await allPages('file=nothing.log')).items).toEqual([])
  })

  test('a cursor the service did not hand out is a 400', async () => {
    const res = await get(path('cursor=not-a-cursor')).expect(400)
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(res.body.type).toBe('https://compchem.cz/problems/validation')
  })

  test('bad parameters are 400', async () => {
    await get(path('limit=0')).expect(400)
    await get(path('limit=1001')).expect(400)
    await get(path('phase=Sleeping')).expect(400)
  })
})

describe('access', () => {
  let runName: string
  beforeAll(async () => {
    runName = (await insertRunRow(stack, { recordId: stack.recordId, seq: seq() })).name
  })

  test('no token → 401', async () => {
    for (const path of [`/api/v1/records/${stack.recordId}/workflows`, `/api/v1/workflows/${runName}`]) {
      const res = await get(path, null).expect(401)
      expect(res.body.type).toBe('https://compchem.cz/problems/unauthorized')
    }
    await get(`/api/v1/workflows/${runName}`, 'not-a-real-token').expect(401)
  })

  test('a user without access to the record → 403, on the list and on the run', async () => {
    await get(`/api/v1/records/${stack.recordId}/workflows`, stack.tokens.bob).expect(403)
    const res = await get(`/api/v1/workflows/${runName}`, stack.tokens.bob).expect(403)
    expect(res.body.type).toBe('https://compchem.cz/problems/forbidden')
  })

  test('unknown record or run → 404', async () => {
    await get('/api/v1/records/nope0-nope0/workflows').expect(404)
    const res = await get('/api/v1/workflows/gaussian-log-nope0-nope0-1').expect(404)
    expect(res.body.type).toBe('https://compchem.cz/problems/not-found')
  })
})
