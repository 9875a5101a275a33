// A real SMTP receiver (smtp-server) for the email tests.
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReceivedEmail {
  from: string | undefined
  to: string[]
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>
  /** The whole message with quoted-printable undone (enough to search in). */
  body: string
}

export interface SmtpReceiver {
  url: string
  messages: ReceivedEmail[]
  /** 'accept', 'down' (the port refuses connections) or an SMTP code to answer RCPT TO with. */
  setMode(mode: 'accept' | 'down' | 451 | 550): Promise<void>
  close(): Promise<void>
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const messages: ReceivedEmail[] = []
  let refusal: number | undefined
  // A closed SMTPServer refuses new connections for good: coming back means a new one on the same port.
  const createServer = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        if (refusal === undefined) return callback()
        callback(Object.assign(new Error(`refused for the test (${refusal})`), { responseCode: refusal }))
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          messages.push(parseMessage(Buffer.concat(chunks).toString('utf8'), session.envelope))
          callback()
        })
      },
    })
  let server: SMTPServer | undefined
  const listen = async (port: number) => {
    const starting = createServer()
    await new Promise<void>((resolve, reject) => {
      starting.server.once('error', reject)
      starting.listen(port, '127.0.0.1', () => {
        starting.server.off('error', reject)
        resolve()
      })
    })
    server = starting
    return (starting.server.address() as AddressInfo).port
  }
  const port = await listen(0)
  const stop = async () => {
    const stopping = server
    server = undefined
    await new Promise<void>((resolve) => stopping?.close(() => resolve()))
  }
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    setMode: async (mode) => {
      refusal = typeof mode === 'number' ? mode : undefined
      if (mode === 'down') await stop()
      // Back on the same port: the service's SMTP_URL does not change.
      else if (!server) await listen(port)
    },
    close: stop,
  }
}

function parseMessage(
  raw: string,
  envelope: { mailFrom: false | { address: string }; rcptTo: Array<{ address: string }> },
): ReceivedEmail {
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const headers: Record<string, string> = {}
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const body = raw
    .slice(split + 4)
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return {
    from: envelope.mailFrom ? envelope.mailFrom.address : undefined,
    to: envelope.rcptTo.map((rcpt) => rcpt.address),
    headers,
    body,
  }
}
