// The widget's API client and session source against a stand-in fetch: bearer on every call, one
// renewal and retry on 401, the session endpoint's answers mapped to the widget's states.
import { jest } from '@jest/globals'
import { Api } from '../../../ui/src/api.js'
import { ApiError } from '../../../ui/src/logic/problem.js'
import { SessionError, SessionSource } from '../../../ui/src/session-source.js'

interface Call {
  url: string
  method: string
  headers: Record<string, string>
  credentials?: string
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString()
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

let calls: Call[]
let answer: (call: Call) => Response
const realFetch = globalThis.fetch

beforeEach(() => {
  calls = []
  globalThis.fetch = (async (input: string | URL, init: RequestInit = {}) => {
    const call: Call = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: (init.headers ?? {}) as Record<string, string>,
      credentials: init.credentials,
    }
    calls.push(call)
    return answer(call)
  }) as typeof fetch
})

afterEach(() => {
  globalThis.fetch = realFetch
})

describe('Api', () => {
  test('calls with the session as bearer token, never with cookies', async () => {
    answer = () => json(200, { recordId: 'rec-1', files: [] })
    const sessions = new SessionSource({ session: { token: 'cfs1.one', expiresAt: inAnHour() } })
    await new Api('https://files.example.org/base/', 'rec-1', sessions).files()
    expect(calls).toEqual([
      expect.objectContaining({
        url: 'https://files.example.org/base/api/v1/records/rec-1/files',
        method: 'GET',
        credentials: 'omit',
        headers: expect.objectContaining({ Authorization: 'Bearer cfs1.one' }),
      }),
    ])
  })

  test('a 401 renews the session at the endpoint once and repeats the call', async () => {
    let minted = 0
    answer = (call) => {
      if (call.url.endsWith('/session'))
        return json(200, { token: `cfs1.new${++minted}`, expiresAt: inAnHour() })
      return call.headers.Authorization === 'Bearer cfs1.new2' ? json(200, { files: [] }) : json(401, {})
    }
    const sessions = new SessionSource({ endpoint: 'https://invenio.example.org/session' })
    await expect(new Api('https://files.example.org/', 'rec-1', sessions).files()).resolves.toEqual([])
    expect(calls.map((call) => call.url.split('/').pop())).toEqual(['session', 'files', 'session', 'files'])
    expect(calls[0]).toMatchObject({ method: 'POST', credentials: 'include' })
    sessions.stop()
  })

  test('a problem answer becomes an ApiError with its detail', async () => {
    answer = () => json(409, { title: 'Conflict', status: 409, detail: 'File busy.' })
    const sessions = new SessionSource({ session: { token: 't', expiresAt: inAnHour() } })
    const error = await new Api('https://files.example.org/', 'rec-1', sessions)
      .act('run-1', 'stop')
      .catch((e) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 409, message: 'File busy.' })
  })

  test('stream URLs keep the signature and use the base the widget calls', async () => {
    answer = () =>
      json(201, {
        url: 'http://localhost:8080/api/v1/records/rec-1/events?sig=v1.abc.k1.def',
        scope: 'events',
        recordId: 'rec-1',
        expiresAt: inAnHour(),
      })
    const sessions = new SessionSource({ session: { token: 't', expiresAt: inAnHour() } })
    const api = new Api('http://127.0.0.1:8080/', 'rec-1', sessions)
    await expect(api.streamUrl('events')).resolves.toBe(
      'http://127.0.0.1:8080/api/v1/records/rec-1/events?sig=v1.abc.k1.def',
    )
    await expect(api.streamUrl('logs:run-1')).resolves.toBe(
      'http://127.0.0.1:8080/api/v1/workflows/run-1/logs?sig=v1.abc.k1.def',
    )
  })
})

describe('SessionSource', () => {
  test.each([
    [403, 'forbidden'],
    [401, 'ended'],
    [502, 'unreachable'],
  ])('the session endpoint answering %i means %s', async (status, reason) => {
    answer = () => json(status, { message: 'no' })
    const error = await new SessionSource({ endpoint: '/session' }).get().catch((e) => e)
    expect(error).toBeInstanceOf(SessionError)
    expect(error.reason).toBe(reason)
  })

  test('an expired handed-in session with no way to renew it has ended', async () => {
    const sessions = new SessionSource({
      session: { token: 't', expiresAt: new Date(Date.now() - 1000).toISOString() },
    })
    expect(sessions.renewable).toBe(false)
    await expect(sessions.get()).rejects.toMatchObject({ reason: 'ended' })
  })

  test('getSession is asked once for concurrent callers, and a rejection with 403 means no access', async () => {
    const getSession = jest.fn(async () => ({ token: 't', expiresAt: inAnHour() }))
    const sessions = new SessionSource({ getSession })
    await Promise.all([sessions.get(), sessions.get(), sessions.get()])
    expect(getSession).toHaveBeenCalledTimes(1)
    sessions.stop()
    const refused = new SessionSource({ getSession: () => Promise.reject({ status: 403 }) })
    await expect(refused.get()).rejects.toMatchObject({ reason: 'forbidden' })
  })
})
