// Identities against the service in the sandbox: Invenio users (and Invenio failing), the auth cache,
// deposit-form sessions, the service token, signed stream URLs (tampering, expiry, other record or
// scope, key rotation), rate limits and CORS.
import { randomBytes } from 'node:crypto'
import { SessionTokens } from '../../../src/auth/sessions.js'
import { StreamUrlSigner } from '../../../src/auth/stream-urls.js'
import { findRunByName } from '../../../src/db/runs.js'
import {
  mintSession,
  mintStreamPath,
  SERVICE_TOKEN,
  startRun,
  startSecurityStack,
  type SecurityStack,
} from './helpers.js'

const oldKey = { kid: 'k1', key: randomBytes(32) }
const newKey = { kid: 'k2', key: randomBytes(32) }
const sessionKey = randomBytes(32)
const ORIGIN = 'https://repo.example.org'

describe('identities', () => {
  let stack: SecurityStack
  let runName: string
  let session: string
  const files = (recordId: string) => `/api/v1/records/${encodeURIComponent(recordId)}/files`
  const events = (recordId: string) => `/api/v1/records/${encodeURIComponent(recordId)}/events`
  const meRequests = () => stack.invenio.requests.filter((entry) => entry.path === '/api/me').length

  beforeAll(async () => {
    stack = await startSecurityStack({
      cluster: { speed: 1, stepSeconds: 120 },
      env: {
        STREAM_URL_KEYS: `k2:${newKey.key.toString('base64')},k1:${oldKey.key.toString('base64')}`,
        SESSION_SIGNING_KEY: sessionKey.toString('base64'),
        AUTH_CACHE_ALLOW_SECONDS: '1',
        AUTH_CACHE_DENY_SECONDS: '1',
        INVENIO_TIMEOUT_SECONDS: '1',
        RATE_LIMIT_START_BURST: '3',
        RATE_LIMIT_START_PER_MINUTE: '1',
        CORS_ORIGINS: ORIGIN,
      },
    })
    await stack.service.context.informer.whenSynced()
    runName = await startRun(stack)
    session = await mintSession(stack, 'alice-id', stack.recordId)
  }, 120_000)

  afterAll(async () => {
    await stack?.close()
  })

  test('no token → 401 problem; bob on alice’s record → 403; alice → 200', async () => {
    const anonymous = await stack.call('GET', '/api/v1/workflow-types')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect((await stack.call('GET', files(stack.recordId), { token: stack.tokens.bob })).status).toBe(403)
    expect((await stack.call('GET', files(stack.recordId), { token: stack.tokens.alice })).status).toBe(200)
    expect((await stack.call('GET', files('no-such-record'), { token: stack.tokens.alice })).status).toBe(404)
    expect((await stack.call('GET', '/api/v1/workflow-types', { token: 'not-a-token' })).status).toBe(401)
  })

  test('Invenio failing (500, too slow, down) → 503 with Retry-After, and nothing is remembered', async () => {
    for (const mode of ['error500', 'slow', 'down'] as const) {
      stack.invenio.setFailure(mode, { delayMs: 3000 })
      try {
        const response = await stack.call('GET', files(stack.recordId), { token: stack.tokens.cora })
        expect({ mode, status: response.status }).toEqual({ mode, status: 503 })
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
      } finally {
        stack.invenio.setFailure(null)
      }
    }
    expect((await stack.call('GET', '/api/v1/workflow-types', { token: stack.tokens.cora })).status).toBe(200)
  }, 60_000)

  test('a yes is remembered for AUTH_CACHE_ALLOW_SECONDS, then Invenio is asked again', async () => {
    await stack.call('GET', '/api/v1/workflow-types', { token: stack.tokens.alice })
    const before = meRequests()
    await stack.call('GET', '/api/v1/workflow-types', { token: stack.tokens.alice })
    expect(meRequests()).toBe(before)
    await new Promise((resolve) => setTimeout(resolve, 1200))
    await stack.call('GET', '/api/v1/workflow-types', { token: stack.tokens.alice })
    expect(meRequests()).toBe(before + 1)
  })

  describe('deposit-form sessions', () => {
    test('only the service token mints them', async () => {
      const body = { user: 'alice-id', recordId: stack.recordId }
      expect((await stack.call('POST', '/api/v1/sessions', { body })).status).toBe(401)
      expect((await stack.call('POST', '/api/v1/sessions', { token: stack.tokens.alice, body })).status).toBe(
        403,
      )
    })

    test('bound to their record: its routes and the catalog work, another record’s do not', async () => {
      expect((await stack.call('GET', files(stack.recordId), { token: session })).status).toBe(200)
      expect((await stack.call('GET', `/api/v1/workflows/${runName}`, { token: session })).status).toBe(200)
      expect((await stack.call('GET', files(stack.emptyRecordId), { token: session })).status).toBe(403)
      // The catalog is the same for everyone; the widget's start dialog builds its form from it.
      expect((await stack.call('GET', '/api/v1/workflow-types', { token: session })).status).toBe(200)
    })

    test('expired or tampered → 401', async () => {
      const past = new SessionTokens({ key: sessionKey, ttlSeconds: 60, now: () => Date.now() - 3_600_000 })
      const expired = past.mint('alice-id', stack.recordId).token
      expect((await stack.call('GET', files(stack.recordId), { token: expired })).status).toBe(401)
      const forged = new SessionTokens({ key: randomBytes(32), ttlSeconds: 60 }).mint(
        'alice-id',
        stack.recordId,
      ).token
      expect((await stack.call('GET', files(stack.recordId), { token: forged })).status).toBe(401)
    })
  })

  test('the service token acts on behalf of the user it names', async () => {
    const response = await stack.call('POST', `/api/v1/records/${stack.recordId}/workflows`, {
      token: SERVICE_TOKEN,
      headers: { 'x-on-behalf-of': '42' },
      body: { type: 'gromacs-tpr', files: ['md/topol.tpr'] },
    })
    expect(response.status).toBe(201)
    const row = await findRunByName(stack.service.context.db.prisma, (response.body as { name: string }).name)
    expect(row?.createdBy).toBe('42')
  })

  describe('signed stream URLs', () => {
    const withSig = (path: string, sig: string) => `${path}?sig=${encodeURIComponent(sig)}`

    test('a URL from alice’s session opens her record’s events, and nothing else', async () => {
      const path = await mintStreamPath(stack, session, stack.recordId, 'events')
      const opened = await stack.call('GET', path)
      expect(opened.status).toBe(200)
      expect(opened.headers.get('content-type')).toMatch(/^text\/event-stream/)
      const sig = new URL(stack.baseUrl + path).searchParams.get('sig')!
      expect((await stack.call('GET', withSig(events(stack.emptyRecordId), sig))).status).toBe(403)
      expect((await stack.call('GET', withSig(`/api/v1/workflows/${runName}/logs`, sig))).status).toBe(403)
      expect((await stack.call('GET', withSig(files(stack.recordId), sig))).status).not.toBe(200)
    })

    test('a logs URL opens that run’s logs only', async () => {
      const path = await mintStreamPath(stack, stack.tokens.alice, stack.recordId, `logs:${runName}`)
      expect((await stack.call('GET', path)).status).toBe(200)
      const sig = new URL(stack.baseUrl + path).searchParams.get('sig')!
      expect((await stack.call('GET', withSig(events(stack.recordId), sig))).status).toBe(403)
    })

    test('missing, tampered, expired or unknown-key signatures → 401', async () => {
      expect((await stack.call('GET', events(stack.recordId))).status).toBe(401)
      const path = await mintStreamPath(stack, session, stack.recordId, 'events')
      const sig = new URL(stack.baseUrl + path).searchParams.get('sig')!
      const [version, payload, kid, mac] = sig.split('.') as [string, string, string, string]
      const otherRecord = Buffer.from(
        JSON.stringify({ r: stack.emptyRecordId, s: 'events', exp: 9e9 }),
      ).toString('base64url')
      for (const bad of [
        [version, otherRecord, kid, mac].join('.'),
        [version, payload, kid, mac.slice(0, -2) + (mac.endsWith('AA') ? 'BB' : 'AA')].join('.'),
        [version, payload, 'k9', mac].join('.'),
        'garbage',
      ])
        expect((await stack.call('GET', withSig(events(stack.recordId), bad))).status).toBe(401)
      const expired = new StreamUrlSigner({
        keys: [newKey],
        ttlSeconds: 60,
        now: () => Date.now() - 3_600_000,
      })
      expect(
        (await stack.call('GET', withSig(events(stack.recordId), expired.sign(stack.recordId, 'events').sig)))
          .status,
      ).toBe(401)
      const retired = new StreamUrlSigner({ keys: [{ kid: 'k3', key: randomBytes(32) }], ttlSeconds: 60 })
      expect(
        (await stack.call('GET', withSig(events(stack.recordId), retired.sign(stack.recordId, 'events').sig)))
          .status,
      ).toBe(401)
    })

    test('after rotation a URL signed with the old key still opens while the key is listed', async () => {
      const old = new StreamUrlSigner({ keys: [oldKey], ttlSeconds: 60 }).sign(stack.recordId, 'events').sig
      expect((await stack.call('GET', withSig(events(stack.recordId), old))).status).toBe(200)
      const path = await mintStreamPath(stack, session, stack.recordId, 'events')
      expect(new URL(stack.baseUrl + path).searchParams.get('sig')!.split('.')[2]).toBe('k2')
    })

    test('minting: another record for a session, or a record bob may not read → 403; unknown run → 404', async () => {
      const body = { scope: 'events' }
      const url = (recordId: string) => `/api/v1/records/${recordId}/stream-urls`
      expect((await stack.call('POST', url(stack.emptyRecordId), { token: session, body })).status).toBe(403)
      expect((await stack.call('POST', url(stack.recordId), { token: stack.tokens.bob, body })).status).toBe(
        403,
      )
      const unknown = { scope: 'logs:no-such-run' }
      expect((await stack.call('POST', url(stack.recordId), { token: session, body: unknown })).status).toBe(
        404,
      )
    })
  })

  test('starts are rate-limited per identity: 429 with Retry-After, others unaffected', async () => {
    const start = (who: string) =>
      stack.call('POST', `/api/v1/records/${stack.recordId}/workflows`, {
        token: SERVICE_TOKEN,
        headers: { 'x-on-behalf-of': who },
        body: {},
      })
    const statuses = [] as number[]
    for (let index = 0; index < 4; index++) statuses.push((await start('eager')).status)
    expect(statuses).toEqual([400, 400, 400, 429])
    const limited = await start('eager')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await start('patient')).status).toBe(400)
  })

  test('CORS headers only for the configured Invenio origin', async () => {
    const preflight = (origin: string) =>
      stack.call('OPTIONS', '/api/v1/workflow-types', {
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      })
    const allowed = await preflight(ORIGIN)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/)
    const other = await preflight('https://evil.example.com')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const simple = await stack.call('GET', '/api/v1/workflow-types', {
      token: stack.tokens.alice,
      headers: { origin: 'https://evil.example.com' },
    })
    expect(simple.headers.get('access-control-allow-origin')).toBeNull()
  })
})
