import {
  isUsable,
  parseSessionHash,
  renewalDelayMs,
  safeReturnUrl,
  sessionFromJson,
} from '../../../ui/src/logic/session.js'

describe('parseSessionHash', () => {
  const record = 'https://invenio.example.org/records/abc12-3def4'

  test('reads the session, its expiry and the return link from the fragment', () => {
    const hash = `#session=cfs1.a.b&expires=2030-01-01T10:00:00Z&return=${encodeURIComponent(record)}`
    expect(parseSessionHash(hash)).toEqual({
      kind: 'session',
      session: { token: 'cfs1.a.b', expiresAt: '2030-01-01T10:00:00.000Z' },
      returnUrl: record,
    })
  })

  test('error=forbidden means no access, keeping the return link', () => {
    expect(parseSessionHash(`#error=forbidden&return=${encodeURIComponent(record)}`)).toEqual({
      kind: 'forbidden',
      returnUrl: record,
    })
  })

  test('no session, a session without expiry or with a bad expiry is none', () => {
    expect(parseSessionHash('')).toEqual({ kind: 'none' })
    expect(parseSessionHash('#session=cfs1.a.b')).toEqual({ kind: 'none' })
    expect(parseSessionHash('#session=cfs1.a.b&expires=soon')).toEqual({ kind: 'none' })
  })

  test('a return link that is not a web address is dropped', () => {
    const parsed = parseSessionHash('#session=t&expires=2030-01-01T10:00:00Z&return=javascript%3Aalert(1)')
    expect(parsed).toMatchObject({ kind: 'session', returnUrl: null })
    expect(safeReturnUrl('not a url')).toBeNull()
    expect(safeReturnUrl('http://localhost:5000/records/x')).toBe('http://localhost:5000/records/x')
  })
})

describe('session lifetime', () => {
  const now = Date.parse('2030-01-01T10:00:00Z')
  const session = (seconds: number) => ({
    token: 't',
    expiresAt: new Date(now + seconds * 1000).toISOString(),
  })

  test('a session is usable until a few seconds before its expiry', () => {
    expect(isUsable(session(60), now)).toBe(true)
    expect(isUsable(session(3), now)).toBe(false)
    expect(isUsable(session(-10), now)).toBe(false)
    expect(isUsable(null, now)).toBe(false)
    expect(isUsable({ token: '', expiresAt: session(60).expiresAt }, now)).toBe(false)
  })

  test('renewal is planned a minute before expiry, or half way for short sessions', () => {
    expect(renewalDelayMs(session(900), now)).toBe(840_000)
    expect(renewalDelayMs(session(90), now)).toBe(45_000)
    expect(renewalDelayMs(session(-1), now)).toBe(0)
  })

  test('a session endpoint answer must carry a token and a date', () => {
    expect(sessionFromJson({ token: 't', expiresAt: '2030-01-01T10:00:00Z' })).toEqual({
      token: 't',
      expiresAt: '2030-01-01T10:00:00Z',
    })
    expect(sessionFromJson({ token: 't' })).toBeNull()
    expect(sessionFromJson({ token: '', expiresAt: '2030-01-01T10:00:00Z' })).toBeNull()
    expect(sessionFromJson('t')).toBeNull()
  })
})
