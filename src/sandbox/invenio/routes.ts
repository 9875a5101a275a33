import type { IncomingMessage, ServerResponse } from 'node:http'
import { FileFlow } from './files.js'
import { contentDisposition, parseRange, readBody, readJson, sendJson } from './http-util.js'
import { browserRoute } from './browser.js'
import { serializeFileEntry, serializeFiles, serializeRecord, type Urls } from './serialize.js'
import { InvenioError, permissionDenied, type Identity, type InvenioStore, type StoredFile } from './store.js'

// The REST surface of an NRP repository for one metadata model, matched on the raw path so that
// percent-encoded keys ('md%2Ftopol.tpr') stay one segment. Permission checks come before file
// lookups, so a 403 never reveals which files a draft holds.

const CONTENT_LIMIT_BYTES = 256 * 1024 * 1024

export interface RouteContext {
  store: InvenioStore
  urls: Urls
  modelPrefix: string
  files: FileFlow
  /** Base URL of the compchem service (record page widget, session views). */
  serviceUrl: string | undefined
  serviceToken: string | undefined
  /** Whether the service's account may read users' emails (a permission Invenio grants). */
  emails: { shownToService: boolean }
}

const notFound = (): InvenioError => new InvenioError(404, 'The requested URL was not found on the server.')
const methodNotAllowed = (): InvenioError =>
  new InvenioError(405, 'The method is not allowed for the requested URL.')

export async function route(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  identity: Identity,
): Promise<void> {
  const segments = decodeSegments(rawPath)
  const method = req.method ?? 'GET'
  const [first, second, third, ...rest] = segments

  if (first === 'api' && second === 'me' && segments.length === 2) return me(res, method, identity, ctx)
  if (first === 'api' && second === 'users' && third && segments.length === 3)
    return userById(res, method, identity, ctx, third)
  if (await browserRoute(ctx, req, res, segments)) return
  // The deposit form's URL in NRP: the same page as the record's.
  if (first === ctx.modelPrefix && second === 'uploads' && third && segments.length === 3) {
    if (await browserRoute(ctx, req, res, ['records', third])) return
    throw methodNotAllowed()
  }
  if (first !== 'api' || second !== ctx.modelPrefix || !third) throw notFound()

  const recordId = third
  if (rest[0] === 'draft') return draftRoutes(ctx, req, res, method, identity, recordId, rest.slice(1))
  return publishedRoutes(ctx, req, res, method, recordId, rest)
}

function decodeSegments(rawPath: string): string[] {
  try {
    return rawPath
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment))
  } catch {
    throw notFound()
  }
}

/** `<key…>` or `<key…>/content|commit`: a key may arrive with its '/' encoded or not. */
function splitKey(tail: string[]): { key: string; action: 'content' | 'commit' | undefined } {
  const last = tail[tail.length - 1]
  if (tail.length > 1 && (last === 'content' || last === 'commit'))
    return { key: tail.slice(0, -1).join('/'), action: last }
  return { key: tail.join('/'), action: undefined }
}

async function draftRoutes(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  identity: Identity,
  recordId: string,
  tail: string[],
): Promise<void> {
  const { store, urls } = ctx
  if (tail.length === 0) {
    if (method !== 'GET') throw methodNotAllowed()
    const record = store.readableDraft(identity, recordId)
    return sendJson(res, 200, serializeRecord(store, urls, record, true))
  }
  if (tail[0] !== 'files') throw notFound()

  if (tail.length === 1) {
    if (method === 'GET') {
      const record = store.readableDraft(identity, recordId)
      return sendJson(res, 200, serializeFiles(urls, record, [...record.files.values()], true))
    }
    if (method !== 'POST') throw methodNotAllowed()
    const record = store.writableDraft(identity, recordId)
    ctx.files.init(record, identity, FileFlow.parseInit(await readJson(req)))
    return sendJson(res, 201, serializeFiles(urls, record, [...record.files.values()], true))
  }

  const { key, action } = splitKey(tail.slice(1))
  const readOnly = method === 'GET' || method === 'HEAD'
  const record = readOnly ? store.readableDraft(identity, recordId) : store.writableDraft(identity, recordId)
  const entry = (file: StoredFile): object => serializeFileEntry(urls, record, file, true)

  if (action === undefined) {
    if (method === 'GET') return sendJson(res, 200, entry(store.file(record, key)))
    if (method !== 'DELETE') throw methodNotAllowed()
    ctx.files.delete(record, key)
    res.writeHead(204).end()
    return
  }
  if (action === 'commit') {
    if (method !== 'POST') throw methodNotAllowed()
    const file = store.file(record, key)
    ctx.files.commit(record, file)
    return sendJson(res, 200, entry(file))
  }
  if (readOnly) return sendContent(req, res, store.file(record, key))
  if (method !== 'PUT') throw methodNotAllowed()
  const file = store.file(record, key)
  ctx.files.setContent(file, await readBody(req, CONTENT_LIMIT_BYTES))
  return sendJson(res, 200, entry(file))
}

function publishedRoutes(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  recordId: string,
  tail: string[],
): void {
  const { store, urls } = ctx
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed()
  const record = store.publishedRecord(recordId)
  if (tail.length === 0) return sendJson(res, 200, serializeRecord(store, urls, record, false))
  if (tail[0] !== 'files') throw notFound()
  const completed = [...record.files.values()].filter((file) => file.status === 'completed')
  if (tail.length === 1) return sendJson(res, 200, serializeFiles(urls, record, completed, false))
  const { key, action } = splitKey(tail.slice(1))
  const file = completed.find((candidate) => candidate.key === key)
  if (!file || action === 'commit') throw new InvenioError(404, `File with key ${key} not found.`)
  if (action === 'content') return sendContent(req, res, file)
  return sendJson(res, 200, serializeFileEntry(urls, record, file, false))
}

function sendContent(req: IncomingMessage, res: ServerResponse, file: StoredFile): void {
  if (file.status !== 'completed' || !file.content)
    throw new InvenioError(404, `File with key ${file.key} has no committed content.`)
  const content = file.content
  const headers: Record<string, string | number> = {
    'Content-Type': file.mimetype,
    'Accept-Ranges': 'bytes',
    'Content-Disposition': contentDisposition(file.key),
    ETag: `"${file.checksum ?? ''}"`,
  }
  const range = parseRange(req.headers.range, content.length)
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${content.length}`, 'Content-Length': 0 })
    res.end()
    return
  }
  const body = range ? content.subarray(range.start, range.end + 1) : content
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${content.length}`
  res.writeHead(range ? 206 : 200, { ...headers, 'Content-Length': body.length })
  res.end(req.method === 'HEAD' ? undefined : body)
}

/**
 * invenio-accounts' REST `GET /api/me` (a `login_required` view). The real payload is id, email,
 * confirmed_at, last_login_at and roles; username is added for the service's convenience.
 */
/** InvenioRDM's `GET /api/users/{id}`: the email only for the user themself and the service account. */
function userById(
  res: ServerResponse,
  method: string,
  identity: Identity,
  ctx: RouteContext,
  id: string,
): void {
  if (method !== 'GET') throw methodNotAllowed()
  const user = ctx.store.userById(id)
  if (!user) throw new InvenioError(404, 'The persistent identifier does not exist.')
  const seesEmail =
    (identity.kind === 'service' && ctx.emails.shownToService) ||
    (identity.kind === 'user' && identity.user.id === user.id)
  sendJson(res, 200, { id: user.id, username: user.name, ...(seesEmail ? { email: user.email } : {}) })
}

function me(res: ServerResponse, method: string, identity: Identity, ctx: RouteContext): void {
  if (method !== 'GET') throw methodNotAllowed()
  if (identity.kind === 'anonymous') throw permissionDenied()
  const roles = identity.kind === 'service' ? ['service'] : identity.user.curator ? ['curator'] : []
  const user =
    identity.kind === 'service'
      ? {
          id: '0',
          username: 'compchem-service',
          email: `compchem-service@${new URL(ctx.urls.base).hostname}`,
        }
      : { id: identity.user.id, username: identity.user.name, email: identity.user.email }
  sendJson(res, 200, {
    ...user,
    confirmed_at: null,
    last_login_at: null,
    roles: roles.map((name, index) => ({ id: index + 1, name, description: '' })),
  })
}
