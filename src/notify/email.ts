// Email delivery over SMTP (nodemailer), used when SMTP_URL is set. Who gets what is decided in
// src/processing/notify-email.ts; this module only talks SMTP.
import nodemailer, { type Transporter } from 'nodemailer'
import { NOTIFICATION_ID_HEADER, type DeliveryResult } from './webhook.js'

export interface EmailMessage {
  to: string
  subject: string
  text: string
  /** Optional HTML alternative to the text. */
  html?: string
  /** Stable notification id, sent as a header so mail filters can deduplicate. */
  notificationId: string
  /** Message-ID without the angle brackets (`id@host`); the same on every resend, so duplicates show. */
  messageId: string
}

export interface Mailer {
  send(message: EmailMessage): Promise<DeliveryResult>
  close(): void
}

export function createMailer(smtpUrl: string, from: string, timeoutMs = 10_000): Mailer {
  // nodemailer waits minutes by default; a hung server should fail the try so the backoff takes over.
  // Options in the URL's query string still win.
  const transporter: Transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: 3 * timeoutMs,
  })
  return {
    async send(message) {
      try {
        await transporter.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          messageId: `<${message.messageId}>`,
          headers: { [NOTIFICATION_ID_HEADER]: message.notificationId },
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
