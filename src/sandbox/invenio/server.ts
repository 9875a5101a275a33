import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { FileFlow } from './files.js'
import { sendError, sendJson } from './http-util.js'
import { route, type RouteContext } from './routes.js'
import { Urls } from './serialize.js'
import { fileView, InvenioError, InvenioStore, type Identity } from './store.js'
import type {
  FailureMode,
  FakeInvenio,
  FakeInvenioOptions,
  RequestLogEntry,
  StoredFileView,
  User,
} from './types.js'
import { WebhookSender } from './webhook.js'

const DEFAULT_SLOW_MS = 2000

/** Starts a fake OARepo/NRP Invenio on its own HTTP server (127.0.0.1, any free port by default). */
export async function startFakeInvenio(options: FakeInvenioOptions = {}): Promise<FakeInvenio> {
  const host = options.host ?? '127.0.0.1'
  const modelPrefix = options.modelPrefix ?? 'experiments'
  const store = new InvenioStore(options.serviceToken)
  const webhook = new WebhookSender(options.webhook, options.logger)
  const files = new FileFlow(store, webhook)
  const requests: RequestLogEntry[] = []
  const failure: { mode: FailureMode | null; delayMs: number } = { mode: null, delayMs: DEFAULT_SLOW_MS }
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  // Routes need the URL, known only once the server listens.
  const ready: { ctx?: RouteContext } = {}

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/'
    const identity = store.identify(req.headers.authorization)
    requests.push({ method: req.method ?? 'GET', path: rawPath, user: identityName(identity) })
    if (failure.mode === 'down') {
      req.socket.destroy()
      return
    }
    if (failure.mode === 'slow') await delay(failure.delayMs, timers)
    if (failure.mode === 'error500')
      return sendJson(res, 500, { status: 500, message: 'Internal server error.' })
    if (!ready.ctx) throw new Error('fake invenio not ready')
    await route(ready.ctx, req, res, rawPath, identity)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy()
      if (error instanceof InvenioError) return sendError(res, error)
      options.logger?.error({ err: error, method: req.method }, 'fake invenio: request failed')
      sendJson(res, 500, { status: 500, message: 'Internal server error.' })
    })
  })
  server.on('connection', (socket) => {
    // "down" looks like a dead server to clients: connections are dropped before any answer.
    if (failure.mode === 'down') return void socket.destroy()
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  const urls = new Urls(url, modelPrefix)
  ready.ctx = {
    store,
    urls,
    modelPrefix,
    files,
    serviceUrl: options.serviceUrl,
    serviceToken: options.serviceToken,
    emails: { shownToService: true },
  }

  const uploadFile = async (
    recordId: string,
    user: string | User,
    key: string,
    content: Buffer | string,
    mimetype?: string,
  ): Promise<StoredFileView> => {
    const identity: Identity = { kind: 'user', user: store.resolveUser(user) }
    const record = store.writableDraft(identity, recordId)
    const [file] = files.init(record, identity, [{ key, metadata: null }])
    if (!file) throw new Error('init returned no file')
    if (mimetype) file.mimetype = mimetype
    files.setContent(file, typeof content === 'string' ? Buffer.from(content) : content)
    files.commit(record, file)
    return fileView(file)
  }

  return {
    url,
    modelPrefix,
    requests,
    webhookDeliveries: webhook.deliveries,
    addUser: (user) => store.addUser(user),
    addRecord: (input) => {
      const record = store.addRecord(input)
      return {
        id: record.id,
        owner: store.userById(record.ownerId)?.name ?? '',
        links: {
          draft: urls.draft(record.id),
          record: urls.record(record.id),
          files: record.hasDraft ? urls.draftFiles(record.id) : urls.recordFiles(record.id),
          html: urls.recordHtml(record.id),
        },
      }
    },
    uploadFile,
    publish: (recordId, keepDraft = false) => {
      const record = store.record(recordId)
      record.published = true
      record.hasDraft = keepDraft
    },
    getFile: (recordId, key) => {
      const file = store.findRecord(recordId)?.files.get(key)
      return file && fileView(file)
    },
    setFailure: (mode, failureOptions) => {
      failure.mode = mode
      failure.delayMs = failureOptions?.delayMs ?? DEFAULT_SLOW_MS
      if (mode === 'down') for (const socket of sockets) socket.destroy()
    },
    showEmailsToService: (shown) => {
      ready.ctx!.emails.shownToService = shown
    },
    flushWebhooks: () => webhook.flush(),
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      await webhook.close()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
  }
}

function identityName(identity: Identity): string | null {
  if (identity.kind === 'service') return 'service'
  return identity.kind === 'user' ? identity.user.name : null
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      resolve()
    }, ms)
    timers.add(timer)
  })
}
