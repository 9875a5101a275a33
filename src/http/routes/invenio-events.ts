// POST /api/v1/events/invenio: signed upload events from Invenio (docs/invenio-integration.md).
// The signature is checked over the raw body; everything Invenio should not send again (unknown
// record, unmatched or already handled file) is acknowledged 202 with the reason.
import type { Request, Router } from 'express'
import {
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../../auth/webhook-signature.js'
import {
  AutomaticNotConfiguredError,
  handleInvenioEvent,
  type AutomaticContext,
  type InvenioEvent,
} from '../../processing/automatic.js'
import { automaticOf } from '../../processing/automatic-service.js'
import { serviceUnavailable, unauthorized } from '../problem.js'

const REFUSALS = {
  'not-configured': 'This service accepts no events: INVENIO_WEBHOOK_SECRETS is not set.',
  missing: 'X-Compchem-Timestamp and X-Compchem-Signature are required.',
  malformed: 'X-Compchem-Signature must be sha256=<hex> and X-Compchem-Timestamp Unix seconds.',
  stale: 'The timestamp is outside the replay window (5 minutes).',
  mismatch: 'The signature does not match.',
} as const

/** The body exactly as it arrived (kept by the JSON parser's verify hook in app.ts). */
export function rawBodyOf(req: Request): Buffer {
  return (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0)
}

export function addInvenioEventRoutes(router: Router, ctx: AutomaticContext): void {
  router.post('/api/v1/events/invenio', async (req, res) => {
    const check = verifyWebhookSignature({
      secrets: ctx.settings.invenioWebhookSecrets,
      timestamp: req.get(WEBHOOK_TIMESTAMP_HEADER),
      signature: req.get(WEBHOOK_SIGNATURE_HEADER),
      body: rawBodyOf(req),
    })
    if (!check.ok) throw unauthorized(REFUSALS[check.reason], { reason: check.reason })
    const event = req.body as InvenioEvent
    try {
      const answer = await handleInvenioEvent(ctx, event, () => automaticOf(ctx).queue.kick())
      res.status(202).json(answer)
    } catch (error) {
      if (error instanceof AutomaticNotConfiguredError) throw serviceUnavailable(error.message, 60)
      throw error
    }
  })
}
