// Completion notifications (docs/notifications.md): once per finished (run, attempt), sent by the
// replica whose outcome insert won. The rows are stored in the outcome's transaction (outbox), then
// sent with retries; a sender that died leaves rows without a final try, which the next sweep sends
// again. At least once, never silently dropped: every payload carries a stable id to deduplicate by.
import type { Logger } from 'pino'
import type { Db, InputJsonObject, OutcomeRow, RunRow } from '../db/index.js'
import type { Mailer } from '../notify/index.js'
import { postWebhook, type DeliveryResult } from '../notify/index.js'
import { recipientOf, renderCompletionEmail, type RecipientDirectory } from './notify-email.js'
import {
  insertNotifications,
  notificationIdFor,
  pendingNotifications,
  recordDeliveryTry,
  type NewNotification,
  type NotificationChannel,
} from './notify-outbox.js'
import type { RunResults } from './outcome-results.js'

export interface NotifierOptions {
  db: { prisma: Db }
  logger: Logger
  /** Base URL for links in payloads. */
  publicUrl: string
  webhookUrls?: readonly string[]
  webhookSecret?: string
  mailer?: Mailer
  /** Finds a completion email's address when it is sent; without one no email is planned. */
  recipients?: RecipientDirectory
  /** Tries per target before giving up (default 6: about half a minute of backoff). */
  maxTries?: number
  retryInitialMs?: number
  retryMaxMs?: number
  timeoutMs?: number
  /** A pending row without any sign of life for this long is sent again by the sweep (default 2 min). */
  quietMs?: number
  /** How often the outbox is swept (default 1 min); the first sweep runs at start. */
  sweepIntervalMs?: number
  /** Told of each delivery try and whether it went through (metrics). */
  onDeliveryTry?: (channel: NotificationChannel, delivered: boolean) => void
  /** Told when a notification ends because nobody's address is known (metrics). */
  onNoRecipient?: (channel: NotificationChannel) => void
  /** Elects the replica that sweeps the outbox; without one, this replica always sweeps. */
  leader?: { acquire(): Promise<boolean>; release(): Promise<void> }
}

export interface NotifierStats {
  delivered: number
  failedTries: number
  abandoned: number
  /** Emails not sent because Invenio knows no address for the recipient (not an error). */
  noRecipient: number
  inFlight: number
}

/** What a webhook receives (documented in docs/notifications.md). */
export interface CompletionPayload {
  id: string
  type: 'run.completed'
  run: {
    name: string
    recordId: string
    type: string
    seq: number
    attempt: number
    files: string[]
    createdBy: string
  }
  outcome: {
    phase: string
    status: string
    message: string | null
    startedAt: string | null
    finishedAt: string | null
    progress: string
    files: Record<string, string>
  }
  links: { run: string }
}

/** The parts of an outcome a notification reports. */
export type OutcomeFacts = Pick<OutcomeRow, 'attempt' | 'phase' | 'message' | 'startedAt' | 'finishedAt'>

export function completionPayload(
  run: RunRow,
  outcome: OutcomeFacts,
  results: RunResults,
  publicUrl: string,
): CompletionPayload {
  return {
    id: notificationIdFor(run.name, outcome.attempt),
    type: 'run.completed',
    run: {
      name: run.name,
      recordId: run.recordId,
      type: run.workflowType,
      seq: run.seq,
      attempt: outcome.attempt,
      files: run.files.map((file) => file.fileKey),
      createdBy: run.createdBy,
    },
    outcome: {
      phase: outcome.phase,
      status: results.status,
      message: outcome.message,
      startedAt: outcome.startedAt?.toISOString() ?? null,
      finishedAt: outcome.finishedAt?.toISOString() ?? null,
      progress: results.progress,
      files: results.files,
    },
    links: { run: `${publicUrl}/api/v1/workflows/${encodeURIComponent(run.name)}` },
  }
}

interface Target {
  id: string
  channel: NotificationChannel
  target: string
  payload: unknown
  /** Tries already recorded (a resumed row continues counting). */
  tries: number
}

export class Notifier {
  private readonly options: Required<
    Pick<
      NotifierOptions,
      'maxTries' | 'retryInitialMs' | 'retryMaxMs' | 'timeoutMs' | 'quietMs' | 'sweepIntervalMs'
    >
  > &
    NotifierOptions
  private readonly counters = { delivered: 0, failedTries: 0, abandoned: 0, noRecipient: 0 }
  private readonly inFlight = new Set<string>()
  private readonly sending = new Set<Promise<void>>()
  private sweepTimer: NodeJS.Timeout | undefined
  private stopping = new AbortController()

  constructor(options: NotifierOptions) {
    this.options = {
      maxTries: 6,
      retryInitialMs: 1_000,
      retryMaxMs: 30_000,
      timeoutMs: 10_000,
      quietMs: 120_000,
      sweepIntervalMs: 60_000,
      ...options,
    }
  }

  /** True when some channel is configured at all. */
  get enabled(): boolean {
    return Boolean(this.options.webhookUrls?.length || this.options.mailer)
  }

  start(): void {
    if (this.sweepTimer) return
    this.stopping = new AbortController()
    const sweep = () =>
      void this.sweep().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'notification sweep failed'),
      )
    sweep()
    this.sweepTimer = setInterval(sweep, this.options.sweepIntervalMs)
    this.sweepTimer.unref()
  }

  /** Stops sweeping and abandons waits between retries (rows stay pending for the next sweep). */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer)
    this.sweepTimer = undefined
    this.stopping.abort()
    await Promise.allSettled([...this.sending])
    await this.options.leader?.release()
  }

  stats(): NotifierStats {
    return { ...this.counters, inFlight: this.inFlight.size }
  }

  /**
   * The rows to store for a finished run: one per webhook URL, and one email naming its recipient
   * (not the address, which is looked up when it is sent: see notify-email.ts).
   */
  plan(run: RunRow, outcome: OutcomeFacts, results: RunResults): Promise<NewNotification[]> {
    const payload = completionPayload(run, outcome, results, this.options.publicUrl)
    const base = { id: payload.id, workflowId: run.id, attempt: outcome.attempt }
    const json = payload as unknown as InputJsonObject
    const rows: NewNotification[] = (this.options.webhookUrls ?? []).map((url) => ({
      ...base,
      channel: 'webhook',
      target: url,
      payload: json,
    }))
    if (this.options.mailer && this.options.recipients)
      rows.push({ ...base, channel: 'email', target: recipientOf(run), payload: json })
    return Promise.resolve(rows)
  }

  /** Stores planned rows; call inside the transaction that stored the outcome. */
  store(tx: Db, rows: NewNotification[]): Promise<void> {
    return insertNotifications(tx, rows)
  }

  /** Sends stored rows in the background (returns at once; `whenIdle` waits for them). */
  send(rows: NewNotification[]): void {
    for (const row of rows) this.track(this.deliver({ ...row, tries: 0 }))
  }

  /** Resolves when nothing is being sent (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.sending.size) await Promise.allSettled([...this.sending])
  }

  /**
   * Sends again every pending row that has been quiet for quietMs, when this replica leads the
   * outbox (two replicas sweeping would both send the same row). Returns how many it took up.
   */
  async sweep(quietMs = this.options.quietMs): Promise<number> {
    if (this.options.leader && !(await this.options.leader.acquire())) return 0
    const pending = await pendingNotifications(this.options.db.prisma, new Date(Date.now() - quietMs))
    let taken = 0
    for (const entry of pending) {
      if (this.inFlight.has(keyOf(entry))) continue
      taken++
      this.track(this.deliver(entry))
    }
    if (taken) this.options.logger.info({ notifications: taken }, 'resending pending notifications')
    return taken
  }

  private track(promise: Promise<void>): void {
    this.sending.add(promise)
    void promise.finally(() => this.sending.delete(promise))
  }

  private async deliver(entry: Target): Promise<void> {
    const key = keyOf(entry)
    if (this.inFlight.has(key)) return
    this.inFlight.add(key)
    const { logger, maxTries } = this.options
    const log = logger.child({ notification: entry.id, channel: entry.channel })
    try {
      for (let attempt = entry.tries + 1; attempt <= Math.max(maxTries, entry.tries + 1); attempt++) {
        if (this.stopping.signal.aborted) return
        const result = await this.attempt(entry)
        if (result.noRecipient) {
          this.options.onNoRecipient?.(entry.channel)
          await this.recordNoRecipient(entry, attempt, log)
          return
        }
        const last = result.ok || result.permanent || attempt >= maxTries
        const state = result.ok ? 'delivered' : last ? 'abandoned' : 'failed'
        this.options.onDeliveryTry?.(entry.channel, result.ok)
        await recordDeliveryTry(this.options.db.prisma, {
          id: entry.id,
          channel: entry.channel,
          target: entry.target,
          try: attempt,
          state,
          statusCode: result.statusCode,
          error: result.error,
        })
        if (result.ok) {
          this.counters.delivered++
          log.debug({ try: attempt }, 'notification delivered')
          return
        }
        this.counters.failedTries++
        if (last) {
          this.counters.abandoned++
          log.error(
            { try: attempt, error: result.error, statusCode: result.statusCode },
            'notification given up',
          )
          return
        }
        const delayMs = Math.min(this.options.retryMaxMs, this.options.retryInitialMs * 2 ** (attempt - 1))
        log.warn({ try: attempt, error: result.error, delayMs }, 'notification failed; retrying')
        await sleep(delayMs, this.stopping.signal)
      }
    } catch (error) {
      // The database refused the try row: leave it pending, the sweep sends it again.
      log.warn({ err: error }, 'notification delivery interrupted')
    } finally {
      this.inFlight.delete(key)
    }
  }

  /** Final, and no failure: the user simply has no address Invenio will give (docs/notifications.md). */
  private async recordNoRecipient(entry: Target, attempt: number, log: Logger): Promise<void> {
    await recordDeliveryTry(this.options.db.prisma, {
      id: entry.id,
      channel: entry.channel,
      target: entry.target,
      try: attempt,
      state: 'abandoned',
      error: NO_RECIPIENT,
    })
    this.counters.noRecipient++
    log.info({ recipient: entry.target }, 'no email address known; completion email not sent')
  }

  private async attempt(entry: Target): Promise<DeliveryResult & { noRecipient?: boolean }> {
    const body = JSON.stringify(entry.payload)
    if (entry.channel === 'webhook') {
      return postWebhook({
        url: entry.target,
        notificationId: entry.id,
        body,
        secret: this.options.webhookSecret,
        timeoutMs: this.options.timeoutMs,
      })
    }
    const { mailer, recipients, publicUrl } = this.options
    if (!mailer || !recipients) return { ok: false, error: 'SMTP is not configured', permanent: true }
    let address: string | null
    try {
      address = await recipients.addressOf(entry.target)
    } catch (error) {
      // Invenio down or confused: a failed try like any other, retried with backoff and by the sweep.
      const reason = error instanceof Error ? error.message : String(error)
      return { ok: false, error: `looking up the address failed: ${reason}`, permanent: false }
    }
    if (!address) return { ok: false, permanent: true, noRecipient: true }
    const email = renderCompletionEmail(entry.payload as unknown as CompletionPayload, publicUrl)
    const result = await mailer.send({
      to: address,
      notificationId: entry.id,
      messageId: `${entry.id}@${new URL(publicUrl).hostname || 'compchem-fileprocessor'}`,
      ...email,
    })
    // SMTP refusals quote the address; logs and delivery rows name the recipient instead.
    return result.error ? { ...result, error: result.error.split(address).join(entry.target) } : result
  }
}

const NO_RECIPIENT = 'no email address known for the recipient'

function keyOf(entry: { id: string; channel: string; target: string }): string {
  return `${entry.id}\u0000${entry.channel}\u0000${entry.target}`
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(resolve, ms)
    timer.unref()
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
