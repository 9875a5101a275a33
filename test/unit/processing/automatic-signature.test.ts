// The event signature check: HMAC over `${timestamp}.${body}`, several secrets, replay window.
import { signWebhookBody } from '../../../src/sandbox/invenio/index.js'
import { signWebhook, verifyWebhookSignature } from '../../../src/auth/webhook-signature.js'

const body = '{"type":"file.committed","recordId":"r1","key":"a.log"}'
const now = 1_800_000_000
const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
  verifyWebhookSignature({
    secrets: ['s1', 's2'],
    timestamp: String(now),
    signature: signWebhook('s2', String(now), body),
    body,
    nowSeconds: now,
    ...overrides,
  })

test('signs exactly as the fake Invenio does', () => {
  expect(signWebhook('s1', '123', body)).toBe(signWebhookBody('s1', '123', body))
})

test('any configured secret verifies; an unknown one does not', () => {
  expect(check({})).toEqual({ ok: true })
  expect(check({ signature: signWebhook('s1', String(now), Buffer.from(body)) })).toEqual({ ok: true })
  expect(check({ signature: signWebhook('other', String(now), body) })).toEqual({
    ok: false,
    reason: 'mismatch',
  })
})

test('a changed body or timestamp breaks the signature', () => {
  expect(check({ body: body.replace('a.log', 'b.log') }).ok).toBe(false)
  expect(check({ timestamp: String(now - 1) }).ok).toBe(false)
})

test('the replay window is 5 minutes either way', () => {
  const at = (seconds: number) => ({
    timestamp: String(seconds),
    signature: signWebhook('s1', String(seconds), body),
  })
  expect(check(at(now - 300))).toEqual({ ok: true })
  expect(check(at(now + 300))).toEqual({ ok: true })
  expect(check(at(now - 301))).toEqual({ ok: false, reason: 'stale' })
  expect(check(at(now + 301))).toEqual({ ok: false, reason: 'stale' })
})

test('missing, malformed and unconfigured are told apart', () => {
  expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing' })
  expect(check({ signature: 'md5=abc' })).toEqual({ ok: false, reason: 'malformed' })
  expect(check({ timestamp: 'yesterday' })).toEqual({ ok: false, reason: 'malformed' })
  expect(check({ secrets: [] })).toEqual({ ok: false, reason: 'not-configured' })
})
