// The policy matrix, generated from the OpenAPI document: every documented route must have a policy
// in src/http/policy.ts, and every route is called with every kind of identity. A refused identity
// gets 401 (no or a bad credential) or 403 (a valid one without access); an accepted one gets
// neither. Bodies are empty on purpose: an accepted caller then meets validation (400) and changes
// nothing, while a refused one is stopped before validation.
import { loadOpenApiDocument } from '../../../src/http/openapi.js'
import { matchPolicy, POLICIES, type Access } from '../../../src/http/policy.js'
import {
  mintSession,
  mintStreamPath,
  runTokenOf,
  SERVICE_TOKEN,
  startRun,
  startSecurityStack,
  type SecurityStack,
} from './helpers.js'

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const
const document = loadOpenApiDocument()
const routes = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  METHODS.filter((method) => (item as Record<string, unknown>)[method]).map((method) => ({
    method: method.toUpperCase(),
    path,
  })),
)

type Kind = 'anonymous' | 'user' | 'session' | 'other-session' | 'service' | 'stream' | 'run'
const KINDS: Kind[] = ['anonymous', 'user', 'session', 'other-session', 'service', 'stream', 'run']

function accepts(access: Access, kind: Kind): boolean {
  switch (access.kind) {
    case 'public':
      return true
    case 'self':
      return false
    case 'authenticated':
      return kind === 'user' || kind === 'session' || kind === 'other-session' || kind === 'service'
    case 'record':
      return (
        kind === 'user' || kind === 'session' || kind === 'service' || (kind === 'stream' && !!access.stream)
      )
    case 'service':
      return kind === 'service'
    case 'run-token':
      return kind === 'run'
  }
}

describe('every documented route has a policy', () => {
  test.each(routes.map((route) => [route.method, route.path] as const))('%s %s', (method, path) => {
    const concrete = path.replace(/\{[^}]+\}/g, 'x1')
    const matched = matchPolicy(method, concrete)
    expect(matched?.policy.path).toBe(path)
  })

  test('the table has one row per route', () => {
    const keys = POLICIES.map((policy) => `${policy.method} ${policy.path}`)
    expect(new Set(keys).size).toBe(keys.length)
  })
})

describe('policy matrix', () => {
  let stack: SecurityStack
  let runName: string
  const credentials = {} as Record<Kind, { token?: string; sig?: Record<string, string> }>

  beforeAll(async () => {
    stack = await startSecurityStack({ cluster: { speed: 1, stepSeconds: 60 } })
    await stack.service.context.informer.whenSynced()
    runName = await startRun(stack)
    const sigOf = async (scope: string) =>
      new URL(
        stack.baseUrl + (await mintStreamPath(stack, stack.tokens.alice, stack.recordId, scope)),
      ).searchParams.get('sig')!
    credentials.anonymous = {}
    credentials.user = { token: stack.tokens.alice }
    credentials.session = { token: await mintSession(stack, '1', stack.recordId) }
    credentials['other-session'] = { token: await mintSession(stack, '1', stack.emptyRecordId) }
    credentials.service = { token: SERVICE_TOKEN }
    credentials.stream = { sig: { events: await sigOf('events'), logs: await sigOf(`logs:${runName}`) } }
    credentials.run = { token: runTokenOf(stack, runName) }
  }, 120_000)

  afterAll(async () => {
    await stack?.close()
  })

  const cases = routes.flatMap((route) => KINDS.map((kind) => [route.method, route.path, kind] as const))

  test.each(cases)('%s %s as %s', async (method, path, kind) => {
    const matched = matchPolicy(method, path.replace(/\{[^}]+\}/g, 'x1'))!
    const { access } = matched.policy
    if (access.kind === 'self') return // verified by the route itself (signed webhook tests)
    let concrete = path
      .replace('{recordId}', encodeURIComponent(stack.recordId))
      .replace('{name}', runName)
      .replace('{key}', path.includes('/results/') ? 'bad%00key' : 'water-dimer.log')
      .replace('{action}', 'no-such-action')
    const credential = credentials[kind]
    if (credential.sig) {
      const scope = access.kind === 'record' && access.stream === 'logs' ? 'logs' : 'events'
      concrete += `?sig=${encodeURIComponent(credential.sig[scope]!)}`
    }
    const response = await stack.call(method, concrete, {
      token: credential.token,
      ...(method === 'GET' ? {} : method === 'PUT' ? { rawBody: 'x' } : { body: {} }),
    })
    if (accepts(access, kind)) {
      // The detail says why, should this fail.
      expect({ status: response.status, refused: [401, 403, 500].includes(response.status) }).toEqual({
        status: response.status,
        refused: false,
      })
    } else {
      expect([401, 403]).toContain(response.status)
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      if (kind === 'anonymous') expect(response.status).toBe(401)
      if (kind === 'other-session' || kind === 'run') expect(response.status).toBe(403)
    }
  })
})
