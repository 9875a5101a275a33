// Webhook delivery: one signed POST. The signature scheme is the one Invenio's webhook to the service
// uses (docs/notifications.md): HMAC-SHA256 over `${timestamp}.${body}`, hex, prefixed `sha256=`.
import { createHmac } from 'node:crypto'

export const SIGNATURE_HEADER = 'X-Compchem-Signature'
export const TIMESTAMP_HEADER = 'X-Compchem-Timestamp'
export const NOTIFICATION_ID_HEADER = 'X-Compchem-Notification-Id'

export interface DeliveryResult {
  ok: boolean
  /** HTTP status when the receiver answered. */
  statusCode?: number
  /** Why it failed, for the log and the delivery row (never the body we sent). */
  error?: string
  /** A 4xx answer other than 408/429 will not get better by retrying. */
  permanent: boolean
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export interface WebhookRequest {
  url: string
  notificationId: string
  body: string
  /** Unset: sent unsigned (the receiver cannot check it; docs/notifications.md advises a secret). */
  secret?: string
  timeoutMs: number
  /** Unix seconds; default now. */
  now?: () => number
}

export async function postWebhook(request: WebhookRequest): Promise<DeliveryResult> {
  const timestamp = request.now?.() ?? Math.floor(Date.now() / 1000)
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'compchem-fileprocessor',
    [NOTIFICATION_ID_HEADER]: request.notificationId,
    [TIMESTAMP_HEADER]: String(timestamp),
  }
  if (request.secret) headers[SIGNATURE_HEADER] = signWebhook(request.secret, timestamp, request.body)
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    })
    // The answer's body is of no interest; drain it so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined)
    if (response.status >= 200 && response.status < 300)
      return { ok: true, statusCode: response.status, permanent: false }
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429
    return {
      ok: false,
      statusCode: response.status,
      error: `receiver answered HTTP ${response.status}`,
      permanent: !retryable,
    }
  } catch (error) {
    const name = (error as { name?: string } | null)?.name
    const detail = name === 'TimeoutError' ? 'timed out' : describe(error)
    return { ok: false, error: detail, permanent: false }
  }
}

function describe(error: unknown): string {
  if (!error || typeof error !== 'object') return String(error)
  const { message, cause } = error as { message?: unknown; cause?: unknown }
  const code = cause && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined
  const text = typeof message === 'string' ? message : String(error)
  return typeof code === 'string' ? `${text} (${code})` : text
}
