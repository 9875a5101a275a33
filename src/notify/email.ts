// Email delivery over SMTP (nodemailer), used when SMTP_URL is set and the run's user has a known address.
import nodemailer, { type Transporter } from 'nodemailer'
import type { DeliveryResult } from './webhook.js'

export interface EmailMessage {
  to: string
  subject: string
  text: string
  /** Stable notification id, sent as a header so mail filters can deduplicate. */
  notificationId: string
}

export interface Mailer {
  send(message: EmailMessage): Promise<DeliveryResult>
  close(): void
}

export function createMailer(smtpUrl: string, from: string): Mailer {
  const transporter: Transporter = nodemailer.createTransport(smtpUrl)
  return {
    async send(message) {
      try {
        await transporter.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          headers: { 'X-Compchem-Notification-Id': message.notificationId },
        })
        return { ok: true, permanent: false }
      } catch (error) {
        const responseCode = (error as { responseCode?: unknown }).responseCode
        const code = typeof responseCode === 'number' ? responseCode : undefined
        return {
          ok: false,
          statusCode: code,
          error: error instanceof Error ? error.message : String(error),
          // SMTP 5xx: the address or the message is refused for good.
          permanent: code !== undefined && code >= 500,
        }
      }
    },
    close: () => transporter.close(),
  }
}

/** Who started a run, by Invenio user id → email address, when the service has learnt it. */
export interface RecipientDirectory {
  emailOf(userId: string): Promise<string | null> | string | null
}

/** Addresses remembered in memory (filled by whoever learns a user's address, e.g. the user check). */
export class RememberedEmails implements RecipientDirectory {
  private readonly emails = new Map<string, string>()
  constructor(private readonly max = 10_000) {}

  remember(userId: string, email: string): void {
    this.emails.delete(userId)
    this.emails.set(userId, email)
    if (this.emails.size > this.max) this.emails.delete(this.emails.keys().next().value!)
  }

  emailOf(userId: string): string | null {
    return this.emails.get(userId) ?? null
  }
}
