import { createHmac, randomUUID } from 'node:crypto'
import type { FakeInvenioLogger, WebhookDelivery, WebhookEvent, WebhookOptions } from './types.js'

// Invenio has no upload webhooks of its own; this plays the small Invenio-side component that posts
// after a file commit. Scheme (docs/sandbox.md): HMAC-SHA256 with the shared secret over
// `${timestamp}.${body}`, timestamp in Unix seconds, sent as X-Compchem-Timestamp and
// X-Compchem-Signature: sha256=<hex>.

export const TIMESTAMP_HEADER = 'X-Compchem-Timestamp'
export const SIGNATURE_HEADER = 'X-Compchem-Signature'
export const DELIVERY_HEADER = 'X-Compchem-Delivery'

const ATTEMPTS = 3
const RETRY_DELAY_MS = 200
const TIMEOUT_MS = 10_000

export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = []
  private readonly inFlight = new Set<Promise<void>>()
  private readonly abort = new AbortController()

  constructor(
    private readonly options: WebhookOptions | undefined,
    private readonly logger?: FakeInvenioLogger,
  ) {}

  /** Starts delivery in the background: the upload that caused it does not wait for the service. */
  send(event: WebhookEvent): void {
    if (!this.options) return
    const delivery: WebhookDelivery = {
      type: event.type,
      recordId: event.recordId,
      key: event.key,
      status: undefined,
      attempts: 0,
    }
    this.deliveries.push(delivery)
    const done = this.deliver(this.options, event, delivery).finally(() => this.inFlight.delete(done))
    this.inFlight.add(done)
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  async close(): Promise<void> {
    this.abort.abort()
    await this.flush()
  }

  private async deliver(
    options: WebhookOptions,
    event: WebhookEvent,
    delivery: WebhookDelivery,
  ): Promise<void> {
    const body = JSON.stringify(event)
    const deliveryId = randomUUID()
    while (delivery.attempts < ATTEMPTS && !this.abort.signal.aborted) {
      delivery.attempts += 1
      // Signed per attempt so a retry is not rejected as stale by the receiver's replay window.
      const timestamp = String(Math.floor(Date.now() / 1000))
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: signWebhookBody(options.secret, timestamp, body),
            [DELIVERY_HEADER]: deliveryId,
          },
          body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(TIMEOUT_MS)]),
        })
        await response.arrayBuffer().catch(() => undefined)
        delivery.status = response.status
        delivery.error = undefined
        // 4xx means the service refused this event for good (bad signature, bad body): no retry.
        if (response.status < 500) return
      } catch (error) {
        delivery.error = error instanceof Error ? error.message : String(error)
      }
      if (delivery.attempts < ATTEMPTS) await sleep(RETRY_DELAY_MS * delivery.attempts, this.abort.signal)
    }
    this.logger?.warn(
      {
        type: event.type,
        recordId: event.recordId,
        key: event.key,
        status: delivery.status,
        error: delivery.error,
      },
      'fake invenio: webhook not delivered',
    )
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })
}
