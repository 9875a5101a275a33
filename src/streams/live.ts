// The live parts of one service instance: the SSE hub, the outcome recorder and the notifier, all fed
// by the one informer. service.ts starts them; routes find them through liveOf(context).
import type { ArgoClient, WorkflowInformer } from '../argo/index.js'
import type { Settings } from '../config/index.js'
import type { Database } from '../db/index.js'
import { LEADER_LOCK_CLASS, LEADER_LOCKS, LeaderLock } from '../db/leader.js'
import type { InvenioClient } from '../invenio/index.js'
import { createMailer } from '../notify/index.js'
import { InvenioRecipients } from '../processing/notify-email.js'
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
  /** url and embedded elect the replica that sweeps the notification outbox (src/db/leader.ts). */
  db: Pick<Database, 'prisma'> & Partial<Pick<Database, 'url' | 'embedded'>>
  informer: WorkflowInformer
  argo: ArgoClient
  /** Where completion emails find their addresses (with the service token); without it, no email. */
  invenio?: Pick<InvenioClient, 'getUser' | 'resolveRecord'>
  /** Counts outcomes and notification tries (src/http/metrics.ts). */
  metrics?: {
    runFinished(type: string, phase: string): void
    notificationTry(channel: string, delivered: boolean): void
    notificationWithoutRecipient(channel: string): void
  }
}

export interface Live {
  hub: StreamHub
  recorder: OutcomeRecorder
  notifier: Notifier
  stop(): Promise<void>
}

const instances = new WeakMap<object, Live>()

/** Starts the hub, the recorder and the notifier's outbox sweep for this service instance. */
export function startLive(context: LiveContext, overrides: Partial<NotifierOptions> = {}): Live {
  const { settings, logger } = context
  const mailer = settings.smtpUrl ? createMailer(settings.smtpUrl, settings.notifyEmailFrom) : undefined
  const notifier = new Notifier({
    db: context.db,
    logger: logger.child({ component: 'notifier' }),
    publicUrl: settings.publicUrl,
    webhookUrls: settings.notifyWebhookUrls,
    webhookSecret: settings.notifyWebhookSecret,
    mailer,
    recipients: context.invenio && new InvenioRecipients(context.invenio),
    leader: outboxLeader(context),
    onDeliveryTry:
      context.metrics && ((channel, delivered) => context.metrics!.notificationTry(channel, delivered)),
    onNoRecipient: context.metrics && ((channel) => context.metrics!.notificationWithoutRecipient(channel)),
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

function outboxLeader(context: LiveContext): LeaderLock | undefined {
  const { url, embedded } = context.db
  if (url === undefined || embedded === undefined) return undefined
  return new LeaderLock({
    db: { url, embedded },
    key: [LEADER_LOCK_CLASS, LEADER_LOCKS.notificationOutbox],
    role: 'notification outbox sweep',
    logger: context.logger.child({ component: 'notifier' }),
  })
}

export function liveOf(context: object): Live {
  const live = instances.get(context)
  if (!live) throw new Error('the live parts of this service were not started (startLive in service.ts)')
  return live
}
