// The notification outbox (write-once tables of prisma/migrations/*_notifications): rows to send,
// and one row per delivery try. A row is pending until a 'delivered' or 'abandoned' try exists.
import { createHash } from 'node:crypto'
import { Prisma } from '../db/generated/client.js'
import { toBigIntId, type Db, type InputJsonObject, type JsonValue } from '../db/index.js'

export type NotificationChannel = 'webhook' | 'email'
export type DeliveryState = 'failed' | 'delivered' | 'abandoned'

export interface OutboxEntry {
  id: string
  workflowId: string
  attempt: number
  channel: NotificationChannel
  /** Webhook URL or email address. */
  target: string
  payload: JsonValue
  createdAt: Date
  /** Tries recorded so far. */
  tries: number
}

/**
 * The stable id of the notification for (run, attempt), the same on every replica and channel, so
 * receivers can drop duplicates (delivery is at least once). UUID-shaped (version 8: custom).
 */
export function notificationIdFor(runName: string, attempt: number): string {
  const hex = createHash('sha256')
    .update(`compchem-fileprocessor/run-completed/${runName}/${attempt}`)
    .digest('hex')
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export interface NewNotification {
  id: string
  workflowId: string
  attempt: number
  channel: NotificationChannel
  target: string
  payload: InputJsonObject
}

/** Stores the rows (call inside the transaction that stored the outcome). Existing rows stay. */
export async function insertNotifications(db: Db, rows: NewNotification[]): Promise<void> {
  if (!rows.length) return
  await db.compchemNotification.createMany({
    data: rows.map((row) => ({ ...row, workflowId: toBigIntId(row.workflowId, 'workflowId') })),
    skipDuplicates: true,
  })
}

export interface DeliveryTry {
  id: string
  channel: NotificationChannel
  target: string
  try: number
  state: DeliveryState
  statusCode?: number | null
  error?: string | null
}

/** Records one try; a try some other sender already recorded under the same number is left as it is. */
export async function recordDeliveryTry(db: Db, delivery: DeliveryTry): Promise<void> {
  await db.compchemNotificationDelivery.createMany({
    data: {
      notificationId: delivery.id,
      channel: delivery.channel,
      target: delivery.target,
      try: delivery.try,
      state: delivery.state,
      statusCode: delivery.statusCode ?? null,
      error: delivery.error?.slice(0, 1000) ?? null,
    },
    skipDuplicates: true,
  })
}

interface PendingRow {
  id: string
  workflow_id: bigint
  attempt: number
  channel: string
  target: string
  payload: Prisma.JsonValue
  created_at: Date
  tries: number
}

/**
 * Rows without a final try whose last sign of life (creation or latest try) is older than
 * `quietSince`: their sender has finished its round of retries without success, or died.
 */
export async function pendingNotifications(db: Db, quietSince: Date, limit = 500): Promise<OutboxEntry[]> {
  const rows = await db.$queryRaw<PendingRow[]>`
    SELECT n.id, n.workflow_id, n.attempt, n.channel, n.target, n.payload, n.created_at,
           COALESCE(MAX(d.try), 0)::int AS tries
      FROM compchem_notification n
      LEFT JOIN compchem_notification_delivery d
        ON d.notification_id = n.id AND d.channel = n.channel AND d.target = n.target
     GROUP BY n.id, n.channel, n.target
    HAVING COUNT(*) FILTER (WHERE d.state IN ('delivered', 'abandoned')) = 0
       AND GREATEST(n.created_at, COALESCE(MAX(d.created_at), n.created_at)) < ${quietSince}
     ORDER BY n.created_at
     LIMIT ${limit}`
  return rows.map((row) => ({
    id: row.id,
    workflowId: row.workflow_id.toString(),
    attempt: row.attempt,
    channel: row.channel as NotificationChannel,
    target: row.target,
    payload: row.payload,
    createdAt: row.created_at,
    tries: row.tries,
  }))
}

/** Every try of a notification, oldest first (tests, operators). */
export async function deliveryTries(db: Db, id: string) {
  return db.compchemNotificationDelivery.findMany({ where: { notificationId: id }, orderBy: { try: 'asc' } })
}
