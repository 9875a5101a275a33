// Session tokens, stream URL signatures and token buckets, on a controlled clock.
import { randomBytes } from 'node:crypto'
import { InvalidCredentialError, CredentialScopeError } from '../../../src/auth/signing.js'
import { SessionTokens } from '../../../src/auth/sessions.js'
import { StreamUrlSigner } from '../../../src/auth/stream-urls.js'
import { TokenBucketLimiter } from '../../../src/auth/rate-limit.js'

let now = Date.parse('2025-12-01T12:00:00Z')
const clock = () => now
const key = (kid: string) => ({ kid, key: randomBytes(32) })

function flip(text: string, at: number): string {
  const replacement = text[at] === 'A' ? 'B' : 'A'
  return text.slice(0, at) + replacement + text.slice(at + 1)
}

describe('session tokens', () => {
  const sessions = new SessionTokens({ key: randomBytes(32), ttlSeconds: 60, now: clock })

  test('a minted token verifies to its user and record until it expires', () => {
    const { token, expiresAt } = sessions.mint('17', 'abc12-3def4')
    expect(sessions.verify(token)).toEqual({ userId: '17', recordId: 'abc12-3def4', expiresAt })
    now += 61_000
    expect(() => sessions.verify(token)).toThrow(InvalidCredentialError)
  })

  test('a token changed anywhere, or signed with another key, is refused', () => {
    const { token } = sessions.mint('17', 'abc12-3def4')
    for (const at of [6, 12, token.length - 3])
      expect(() => sessions.verify(flip(token, at))).toThrow(InvalidCredentialError)
    const other = new SessionTokens({ key: randomBytes(32), ttlSeconds: 60, now: clock })
    expect(() => other.verify(token)).toThrow(InvalidCredentialError)
    expect(() => sessions.verify('cfs1.')).toThrow(InvalidCredentialError)
  })
})

describe('stream URL signatures', () => {
  const oldKey = key('k1')
  const newKey = key('k2')

  test('sign then authorize for the same record and scope', () => {
    const signer = new StreamUrlSigner({ keys: [oldKey], ttlSeconds: 30, now: clock })
    const { sig } = signer.sign('rec-1', 'events')
    expect(signer.authorize(sig, 'rec-1', 'events').recordId).toBe('rec-1')
  })

  test('another record or scope is a scope error (403), tampering and expiry are invalid (401)', () => {
    const signer = new StreamUrlSigner({ keys: [oldKey], ttlSeconds: 30, now: clock })
    const { sig } = signer.sign('rec-1', 'logs:run-1')
    expect(() => signer.authorize(sig, 'rec-2', 'logs:run-1')).toThrow(CredentialScopeError)
    expect(() => signer.authorize(sig, 'rec-1', 'logs:run-2')).toThrow(CredentialScopeError)
    expect(() => signer.authorize(sig, 'rec-1', 'events')).toThrow(CredentialScopeError)
    const [version, payload, kid, mac] = sig.split('.') as [string, string, string, string]
    const forged = Buffer.from(JSON.stringify({ r: 'rec-2', s: 'logs:run-1', exp: 9e9 })).toString(
      'base64url',
    )
    expect(() => signer.verify([version, forged, kid, mac].join('.'))).toThrow(InvalidCredentialError)
    expect(() => signer.verify(flip(sig, sig.length - 2))).toThrow(InvalidCredentialError)
    expect(() => signer.verify([version, payload, 'k9', mac].join('.'))).toThrow(InvalidCredentialError)
    now += 31_000
    expect(() => signer.verify(sig)).toThrow(/expired/)
  })

  test('after rotation the old key still verifies while listed; removed, it does not', () => {
    const before = new StreamUrlSigner({ keys: [oldKey], ttlSeconds: 30, now: clock })
    const { sig } = before.sign('rec-1', 'events')
    const rotated = new StreamUrlSigner({ keys: [newKey, oldKey], ttlSeconds: 30, now: clock })
    expect(rotated.verify(sig).recordId).toBe('rec-1')
    expect(rotated.sign('rec-1', 'events').sig.split('.')[2]).toBe('k2')
    const retired = new StreamUrlSigner({ keys: [newKey], ttlSeconds: 30, now: clock })
    expect(() => retired.verify(sig)).toThrow(InvalidCredentialError)
  })
})

describe('token buckets', () => {
  test('a burst passes, the next is refused with a retry time, tokens come back with time', () => {
    const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 3, now: clock })
    expect([1, 2, 3].map(() => limiter.take('alice').allowed)).toEqual([true, true, true])
    expect(limiter.take('alice')).toEqual({ allowed: false, retryAfterSeconds: 1 })
    expect(limiter.take('bob').allowed).toBe(true)
    now += 1000
    expect(limiter.take('alice').allowed).toBe(true)
    expect(limiter.take('alice').allowed).toBe(false)
  })
})
