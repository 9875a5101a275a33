// The live parts of one service instance: the SSE hub, the outcome recorder and the notifier, all fed
// by the one informer. service.ts starts them; routes find them through liveOf(context).
import type { ArgoClient, WorkflowInformer } from '../argo/index.js'
import type { Settings } from '../config/index.js'
import type { Database } from '../db/index.js'
import { createMailer, RememberedEmails } from '../notify/index.js'
import { Notifier, type NotifierOptions } from '../processing/notify.js'
import { OutcomeRecorder } from '../processing/outcomes.js'
import type { Logger } from 'pino'
import { StreamHub } from './hub.js'

export interface LiveContext {
  settings: Pick<
    Settings,
    'publicUrl' | 'notifyWebhookUrls' | 'notifyWebhookSecret' | 'smtpUrl' | 'notifyEmailFrom'
  >
  logger: Logger
  db: Pick<Database, 'prisma'>
  informer: WorkflowInformer
  argo: ArgoClient
  /** Counts outcomes and notification tries (src/http/metrics.ts). */
  metrics?: {
    runFinished(type: string, phase: string): void
    notificationTry(channel: string, delivered: boolean): void
  }
}

export interface Live {
  hub: StreamHub
  recorder: OutcomeRecorder
  notifier: Notifier
  /** Addresses for completion emails, by Invenio user id (see docs/notifications.md). */
  emails: RememberedEmails
  stop(): Promise<void>
}

const instances = new WeakMap<object, Live>()

/** Starts the hub, the recorder and the notifier's outbox sweep for this service instance. */
export function startLive(context: LiveContext, overrides: Partial<NotifierOptions> = {}): Live {
  const { settings, logger } = context
  const emails = new RememberedEmails()
  const mailer = settings.smtpUrl ? createMailer(settings.smtpUrl, settings.notifyEmailFrom) : undefined
  const notifier = new Notifier({
    db: context.db,
    logger: logger.child({ component: 'notifier' }),
    publicUrl: settings.publicUrl,
    webhookUrls: settings.notifyWebhookUrls,
    webhookSecret: settings.notifyWebhookSecret,
    mailer,
    recipients: emails,
    onDeliveryTry:
      context.metrics && ((channel, delivered) => context.metrics!.notificationTry(channel, delivered)),
    ...overrides,
  })
  const recorder = new OutcomeRecorder({
    db: context.db,
    informer: context.informer,
    argo: context.argo,
    logger: logger.child({ component: 'outcomes' }),
    notifier,
    onFinished: context.metrics && ((type, phase) => context.metrics!.runFinished(type, phase)),
  })
  const hub = new StreamHub({ informer: context.informer, logger: logger.child({ component: 'streams' }) })
  hub.start()
  recorder.start()
  notifier.start()
  const live: Live = {
    hub,
    recorder,
    notifier,
    emails,
    stop: async () => {
      hub.stop()
      await recorder.stop()
      await notifier.stop()
      mailer?.close()
    },
  }
  instances.set(context, live)
  return live
}

export function liveOf(context: object): Live {
  const live = instances.get(context)
  if (!live) throw new Error('the live parts of this service were not started (startLive in service.ts)')
  return live
}
