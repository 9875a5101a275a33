// Signed events from Invenio (docs/invenio-integration.md): HMAC-SHA256 keyed with a shared secret
// over `${timestamp}.${body}`, sent as `X-Compchem-Signature: sha256=<hex>` with the Unix-seconds
// timestamp in `X-Compchem-Timestamp`. Several secrets are accepted at once so they can be rotated.
import { createHmac, timingSafeEqual } from 'node:crypto'

export const WEBHOOK_TIMESTAMP_HEADER = 'x-compchem-timestamp'
export const WEBHOOK_SIGNATURE_HEADER = 'x-compchem-signature'
export const WEBHOOK_DELIVERY_HEADER = 'x-compchem-delivery'
/** How far a timestamp may be from now, either way (replay window). */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300

const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i
const TIMESTAMP_PATTERN = /^\d{1,12}$/

export type SignatureCheck =
  { ok: true } | { ok: false; reason: 'not-configured' | 'missing' | 'malformed' | 'stale' | 'mismatch' }

export interface SignatureInput {
  secrets: readonly string[]
  timestamp: string | undefined
  signature: string | undefined
  body: Buffer | string
  /** Unix seconds; default now. */
  nowSeconds?: number
  replayWindowSeconds?: number
}

export function signWebhook(secret: string, timestamp: string, body: Buffer | string): string {
  return 'sha256=' + hmac(secret, timestamp, body).toString('hex')
}

function hmac(secret: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
}

/** Checks the signature against every configured secret, in constant time for each. */
export function verifyWebhookSignature(input: SignatureInput): SignatureCheck {
  if (!input.secrets.length) return { ok: false, reason: 'not-configured' }
  if (!input.timestamp || !input.signature) return { ok: false, reason: 'missing' }
  const match = SIGNATURE_PATTERN.exec(input.signature.trim())
  const timestamp = input.timestamp.trim()
  if (!match || !TIMESTAMP_PATTERN.test(timestamp)) return { ok: false, reason: 'malformed' }
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000)
  const window = input.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS
  if (Math.abs(now - Number(timestamp)) > window) return { ok: false, reason: 'stale' }
  const given = Buffer.from(match[1]!.toLowerCase(), 'hex')
  let matched = false
  // Every secret is tried (no early exit), so timing does not tell which one matched.
  for (const secret of input.secrets) {
    if (timingSafeEqual(hmac(secret, timestamp, input.body), given)) matched = true
  }
  return matched ? { ok: true } : { ok: false, reason: 'mismatch' }
}
