// The lookup cache and the join around it, with a stand-in API server (an object with getWorkflow).
import { UnavailableError } from '../../../src/argo/errors.js'
import type { Workflow } from '../../../src/argo/types.js'
import type { RunRow } from '../../../src/db/rows.js'
import { ArgoLookup } from '../../../src/processing/argo-lookup.js'
import { resolveRunStatuses, type StatusContext } from '../../../src/processing/status.js'

function fakeApiServer(workflows: Record<string, Workflow>, options: { down?: boolean } = {}) {
  const asked: string[] = []
  return {
    asked,
    getWorkflow: async (name: string) => {
      asked.push(name)
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (options.down) throw new UnavailableError(`get workflow ${name}: connect ECONNREFUSED`)
      return workflows[name] ?? null
    },
  }
}

const now = new Date('2025-03-01T12:00:00Z')

function run(name: string, ageSeconds: number): RunRow {
  return {
    id: '1',
    recordId: 'rec',
    workflowType: 'gaussian-log',
    seq: 1,
    name,
    createdBy: '1',
    parameters: {},
    templateDigest: null,
    resubmittedFrom: null,
    createdAt: new Date(now.getTime() - ageSeconds * 1000),
    files: [],
    outcomes: [],
  }
}

describe('ArgoLookup', () => {
  test('concurrent questions share one request and answers are reused', async () => {
    const api = fakeApiServer({ there: { metadata: { name: 'there' } } })
    const lookup = new ArgoLookup(api)
    const answers = await Promise.all([lookup.ask('there'), lookup.ask('there'), lookup.ask('gone')])
    expect(answers.map((answer) => answer.kind)).toEqual(['found', 'found', 'absent'])
    await lookup.ask('gone')
    expect(api.asked.sort()).toEqual(['gone', 'there'])
    lookup.forget('gone')
    await lookup.ask('gone')
    expect(api.asked.filter((name) => name === 'gone')).toHaveLength(2)
  })

  test('answers expire', async () => {
    const api = fakeApiServer({})
    const lookup = new ArgoLookup(api, { answerTtlMs: 1 })
    await lookup.ask('gone')
    await new Promise((resolve) => setTimeout(resolve, 10))
    await lookup.ask('gone')
    expect(api.asked).toEqual(['gone', 'gone'])
  })

  test('a failure is an answer, never a throw', async () => {
    const lookup = new ArgoLookup(fakeApiServer({}, { down: true }))
    expect(await lookup.ask('x')).toEqual({ kind: 'failed', reason: expect.stringContaining('ECONNREFUSED') })
  })
})

describe('resolveRunStatuses', () => {
  function context(
    api: ReturnType<typeof fakeApiServer>,
    cached: Record<string, Workflow> = {},
  ): StatusContext {
    return {
      settings: { pendingGraceSeconds: 30 },
      db: { prisma: undefined as never },
      informer: { get: (name) => cached[name] },
      argo: api,
      now: () => now,
    }
  }

  test('only old runs missing from the cache are looked up', async () => {
    const api = fakeApiServer({ lagging: { metadata: { name: 'lagging' }, status: { phase: 'Running' } } })
    const cached = { live: { metadata: { name: 'live' }, status: { phase: 'Succeeded' as const } } }
    const rows = [run('live', 100), run('young', 3), run('lagging', 100), run('gone', 100)]
    const joined = await resolveRunStatuses(context(api, cached), rows)
    expect(joined.map((entry) => entry.status.phase)).toEqual(['Succeeded', 'Pending', 'Running', 'NotFound'])
    expect(joined[2]?.workflow?.metadata.name).toBe('lagging')
    expect(api.asked.sort()).toEqual(['gone', 'lagging'])
  })

  test('once the API server is found unreachable, the rest of the call does not ask it again', async () => {
    const api = fakeApiServer({}, { down: true })
    const rows = Array.from({ length: 40 }, (_, index) => run(`old-${index}`, 100))
    const joined = await resolveRunStatuses(context(api), rows)
    expect(new Set(joined.map((entry) => entry.status.phase))).toEqual(new Set(['Unknown']))
    expect(api.asked.length).toBeLessThan(rows.length)
  })
})
