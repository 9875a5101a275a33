// A real SMTP receiver (smtp-server) and the one Invenio endpoint the fake Invenio lacks:
// InvenioRDM's `GET /api/users/{id}`, which shows a user's email to the service token. Everything else
// is passed through to the fake Invenio unchanged.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import type { FakeInvenio } from '../../../src/sandbox/invenio/index.js'

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

export interface UserDirectory {
  url: string
  /** Invenio user id → what `/api/users/{id}` shows the service; absent ids answer 404. */
  users: Map<string, { username: string; email?: string }>
  close(): Promise<void>
}

/** Answers `/api/users/{id}` like InvenioRDM (email for the service token only); forwards the rest. */
export async function startUserDirectory(invenio: FakeInvenio, serviceToken: string): Promise<UserDirectory> {
  const users: UserDirectory['users'] = new Map()
  const upstream = new URL(invenio.url)
  const server = http.createServer((req, res) => {
    const match = /^\/api\/users\/([^/?]+)$/.exec(req.url ?? '')
    if (match && req.method === 'GET') {
      // One server: when the fake Invenio is down (or failing), so is this endpoint.
      const probe = http.get(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: '/api/me',
          headers: { authorization: `Bearer ${serviceToken}` },
        },
        (answer) => {
          answer.resume()
          if (answer.statusCode !== 200) {
            res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' })
            return void res.end(
              JSON.stringify({ status: answer.statusCode, message: 'Internal server error.' }),
            )
          }
          const user = users.get(decodeURIComponent(match[1]!))
          const isService = req.headers.authorization === `Bearer ${serviceToken}`
          const [status, body] = !user
            ? [404, { status: 404, message: 'The persistent identifier does not exist.' }]
            : [
                200,
                {
                  id: match[1],
                  username: user.username,
                  ...(isService && user.email ? { email: user.email } : {}),
                },
              ]
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify(body))
        },
      )
      probe.on('error', () => res.destroy())
      return
    }
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    // The fake Invenio dropped the connection ('down'): so does its front.
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    users,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
