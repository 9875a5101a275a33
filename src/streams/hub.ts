// The SSE hub (DESIGN.md "Streams"): one informer upstream, fanned out to every client. Per record a
// bounded replay buffer of serialized events, so a client that reconnects with the id of the last
// event it saw gets exactly what it missed; an id this process cannot place (another replica's, an
// older process's, or one that fell out of the buffer) asks for a fresh snapshot instead.
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { recordIdLabelValue, RECORD_ID_LABEL, type Workflow, type WorkflowInformer } from '../argo/index.js'
import { changeOf } from './run-events.js'
import { formatEvent } from './sse.js'

export type HubEventName = 'workflow' | 'completed'

export interface HubEvent {
  /** Opaque to clients: `<epoch>-<seq>`. */
  id: string
  seq: number
  event: HubEventName
  data: string
  /** The whole SSE frame, encoded once and written to every client as is. */
  frame: Buffer
}

export interface Subscription {
  /** Events after the client's last id, or null when it must start from a snapshot. */
  replay: HubEvent[] | null
  /** The id that stands for "everything up to now" (the snapshot's id). */
  position: string
  close(): void
}

export interface StreamHubOptions {
  informer: Pick<WorkflowInformer, 'on'>
  logger: Logger
  /** Events kept per record for resumption (default 256). */
  replayPerRecord?: number
  /** How long a record's buffer outlives its last client, for reconnects (default 5 min). */
  idleRetentionMs?: number
  /** Most records with a buffer; idle ones are dropped first (default 10,000). */
  maxRecords?: number
}

export interface HubStats {
  /** Live subscriptions. */
  clients: number
  /** Records with a buffer (with clients or recently left). */
  records: number
  /** Records with at least one client. */
  activeRecords: number
  /** Listeners the hub holds on the informer: constant, whatever the number of clients. */
  upstreamListeners: number
  subscriptionsOpened: number
  subscriptionsClosed: number
  eventsPublished: number
  snapshotsRequested: number
}

type Deliver = (event: HubEvent) => void

interface Channel {
  subscribers: Set<Deliver>
  events: HubEvent[]
  /** Every event of this record with seq > since is in `events` (or was published after). */
  since: number
  idleSince: number | null
}

export class StreamHub {
  /** Distinguishes this process's ids from those of other replicas and earlier processes. */
  readonly epoch = randomBytes(6).toString('base64url')
  private seq = 0
  private readonly channels = new Map<string, Channel>()
  private readonly replayPerRecord: number
  private readonly idleRetentionMs: number
  private readonly maxRecords: number
  private unsubscribe: Array<() => void> = []
  private cleanupTimer: NodeJS.Timeout | undefined
  private readonly counters = {
    subscriptionsOpened: 0,
    subscriptionsClosed: 0,
    eventsPublished: 0,
    snapshotsRequested: 0,
  }

  constructor(private readonly options: StreamHubOptions) {
    this.replayPerRecord = options.replayPerRecord ?? 256
    this.idleRetentionMs = options.idleRetentionMs ?? 5 * 60_000
    this.maxRecords = options.maxRecords ?? 10_000
  }

  start(): void {
    if (this.unsubscribe.length) return
    const { informer } = this.options
    this.unsubscribe = [
      informer.on('add', (workflow) => this.onChange(workflow, undefined)),
      informer.on('update', (workflow, old) => this.onChange(workflow, old)),
    ]
    this.cleanupTimer = setInterval(() => this.dropIdle(), Math.min(60_000, this.idleRetentionMs))
    this.cleanupTimer.unref()
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe()
    clearInterval(this.cleanupTimer)
    this.cleanupTimer = undefined
  }

  stats(): HubStats {
    let clients = 0
    let activeRecords = 0
    for (const channel of this.channels.values()) {
      clients += channel.subscribers.size
      if (channel.subscribers.size) activeRecords++
    }
    return {
      clients,
      records: this.channels.size,
      activeRecords,
      upstreamListeners: this.unsubscribe.length,
      ...this.counters,
    }
  }

  idOf(seq: number): string {
    return `${this.epoch}-${seq}`
  }

  /**
   * Subscribes to the record's events. With a `lastEventId` this process issued and still covers,
   * `replay` holds what came after it; otherwise it is null and the caller sends a snapshot with id
   * `position`. Live events go to `deliver` from the moment of subscribing.
   */
  subscribe(recordId: string, lastEventId: string | undefined, deliver: Deliver): Subscription {
    const key = recordIdLabelValue(recordId)
    const channel = this.channelFor(key)
    channel.subscribers.add(deliver)
    channel.idleSince = null
    this.counters.subscriptionsOpened++
    const replay = this.replayAfter(channel, lastEventId)
    if (!replay) this.counters.snapshotsRequested++
    let closed = false
    return {
      replay,
      position: this.idOf(this.seq),
      close: () => {
        if (closed) return
        closed = true
        this.counters.subscriptionsClosed++
        channel.subscribers.delete(deliver)
        if (!channel.subscribers.size) channel.idleSince = Date.now()
      },
    }
  }

  private replayAfter(channel: Channel, lastEventId: string | undefined): HubEvent[] | null {
    const seq = this.parseId(lastEventId)
    if (seq === undefined || seq < channel.since || seq > this.seq) return null
    return channel.events.filter((event) => event.seq > seq)
  }

  private parseId(id: string | undefined): number | undefined {
    if (!id) return undefined
    const dash = id.lastIndexOf('-')
    if (dash < 0 || id.slice(0, dash) !== this.epoch) return undefined
    const digits = id.slice(dash + 1)
    if (!/^(0|[1-9][0-9]{0,15})$/.test(digits)) return undefined
    return Number(digits)
  }

  private channelFor(key: string): Channel {
    let channel = this.channels.get(key)
    if (!channel) {
      if (this.channels.size >= this.maxRecords) this.dropIdle(true)
      channel = { subscribers: new Set(), events: [], since: this.seq, idleSince: null }
      this.channels.set(key, channel)
    }
    return channel
  }

  private onChange(workflow: Workflow, old: Workflow | undefined): void {
    const key = workflow.metadata.labels?.[RECORD_ID_LABEL]
    // Only records someone watches (or watched a moment ago) pay for computing events.
    const channel = key === undefined ? undefined : this.channels.get(key)
    if (!channel) return
    const change = changeOf(workflow, old)
    if (change.workflow) this.publish(channel, 'workflow', change.workflow)
    if (change.completed) this.publish(channel, 'completed', change.completed)
  }

  private publish(channel: Channel, name: HubEventName, payload: unknown): void {
    const seq = ++this.seq
    const id = this.idOf(seq)
    const data = JSON.stringify(payload)
    const frame = Buffer.from(formatEvent({ id, event: name, data }))
    const event: HubEvent = { id, seq, event: name, data, frame }
    channel.events.push(event)
    if (channel.events.length > this.replayPerRecord) channel.since = channel.events.shift()!.seq
    this.counters.eventsPublished++
    for (const deliver of [...channel.subscribers]) {
      try {
        deliver(event)
      } catch (error) {
        this.options.logger.error({ err: error }, 'stream subscriber failed')
      }
    }
  }

  /** Drops buffers idle past the retention; `force` also drops the longest-idle one to make room. */
  private dropIdle(force = false): void {
    const now = Date.now()
    let oldest: [string, number] | undefined
    for (const [key, channel] of this.channels) {
      if (channel.idleSince === null) continue
      if (now - channel.idleSince >= this.idleRetentionMs) this.channels.delete(key)
      else if (!oldest || channel.idleSince < oldest[1]) oldest = [key, channel.idleSince]
    }
    if (force && oldest && this.channels.size >= this.maxRecords) this.channels.delete(oldest[0])
  }
}
