// The demo's mail server: accepts every message on loopback and hands it to a callback, so the
// completion emails of the demo's runs can be seen without a real SMTP server.
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface CaughtMail {
  to: string[]
  subject: string
}

export interface MailCatcher {
  url: string
  close(): Promise<void>
}

export async function startMailCatcher(onMail: (mail: CaughtMail) => void): Promise<MailCatcher> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const head =
          Buffer.concat(chunks)
            .toString('utf8')
            .split(/\r?\n\r?\n/, 1)[0] ?? ''
        const subject = /^subject:\s*(.*)$/im.exec(head.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? ''
        onMail({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), subject })
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
