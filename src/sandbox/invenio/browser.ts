import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson } from './http-util.js'
import { renderLoginPage, renderRecordPage } from './page.js'
import type { RouteContext } from './routes.js'
import type { Identity, InvenioStore } from './store.js'

// What a logged-in browser does on an Invenio instance that has the compchem extension: sign in
// (a cookie, as Invenio's own session), open a record page that embeds the workflows widget, and
// the extension's two views that mint a deposit-form session with the service token after checking
// the user may edit the draft (docs/security.md, "Minting a session when the deposit form opens").

const COOKIE = 'fake_invenio_session'

export function browserIdentity(store: InvenioStore, req: IncomingMessage): Identity {
  const token = readCookie(req.headers.cookie, COOKIE)
  return store.identify(token ? `Bearer ${token}` : undefined)
}

/** Handles the browser-facing paths; false when the path is not one of them. */
export async function browserRoute(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  segments: string[],
): Promise<boolean> {
  const handle = browserHandler(ctx, req, res, segments)
  if (!handle) return false
  await handle()
  return true
}

function browserHandler(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  segments: string[],
): (() => void | Promise<void>) | undefined {
  const method = req.method ?? 'GET'
  const [first, second, third] = segments
  const identity = () => browserIdentity(ctx.store, req)
  if (first === 'login' && segments.length === 1 && method === 'GET') return () => login(ctx, req, res)
  if (first === 'logout' && segments.length === 1) return () => redirect(res, '/login', clearCookie())
  if (first === 'records' && second && segments.length === 2 && method === 'GET')
    return () => recordPage(ctx, res, identity(), second)
  if (first === 'compchem' && second === 'session' && third && segments.length === 3 && method === 'POST')
    return async () => {
      const minted = await mintSession(ctx, identity(), third)
      sendJson(res, minted.status, minted.body)
    }
  if (first === 'compchem' && second === 'workflows' && third && segments.length === 3 && method === 'GET')
    return () => openWorkflows(ctx, res, identity(), third)
  return undefined
}

function login(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): void {
  const query = new URL(req.url ?? '/', 'http://invenio.local').searchParams
  const name = query.get('user')
  const next = safeLocalPath(query.get('next'))
  if (!name) return sendHtml(res, 200, renderLoginPage(ctx.store.listUsers(), next))
  const user = ctx.store.userByName(name)
  if (!user) return sendHtml(res, 404, renderLoginPage(ctx.store.listUsers(), next, `No user named ${name}.`))
  redirect(
    res,
    next ?? '/login',
    `${COOKIE}=${encodeURIComponent(user.token)}; Path=/; HttpOnly; SameSite=Lax`,
  )
}

function recordPage(ctx: RouteContext, res: ServerResponse, identity: Identity, recordId: string): void {
  const record = ctx.store.record(recordId)
  const user = identity.kind === 'user' ? identity.user : undefined
  sendHtml(res, 200, renderRecordPage(ctx.store, ctx.urls, record, { user, serviceUrl: ctx.serviceUrl }))
}

interface Minted {
  status: number
  body: { token: string; expiresAt: string } | { status: number; message: string }
}

async function mintSession(ctx: RouteContext, identity: Identity, recordId: string): Promise<Minted> {
  if (identity.kind !== 'user') return { status: 401, body: { status: 401, message: 'Not signed in.' } }
  const record = ctx.store.findRecord(recordId)
  if (!record || !record.hasDraft) return { status: 404, body: { status: 404, message: 'No such draft.' } }
  if (!ctx.store.canWriteDraft(identity, record))
    return { status: 403, body: { status: 403, message: 'Permission denied.' } }
  if (!ctx.serviceUrl || !ctx.serviceToken)
    return { status: 503, body: { status: 503, message: 'The compchem service is not connected.' } }
  try {
    const answer = await fetch(`${ctx.serviceUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.serviceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: identity.user.id, recordId }),
      signal: AbortSignal.timeout(5000),
    })
    if (!answer.ok) return { status: 502, body: { status: 502, message: 'The compchem service refused.' } }
    const session = (await answer.json()) as { token: string; expiresAt: string }
    return { status: 200, body: { token: session.token, expiresAt: session.expiresAt } }
  } catch {
    return { status: 502, body: { status: 502, message: 'The compchem service is unreachable.' } }
  }
}

/** The "Workflows" link: a full page on the service, handed a fresh session in the URL fragment. */
async function openWorkflows(
  ctx: RouteContext,
  res: ServerResponse,
  identity: Identity,
  recordId: string,
): Promise<void> {
  if (identity.kind !== 'user')
    return redirect(res, `/login?next=${encodeURIComponent(`/compchem/workflows/${recordId}`)}`)
  const back = `${ctx.urls.base}/records/${encodeURIComponent(recordId)}`
  const minted = await mintSession(ctx, identity, recordId)
  const page = `${ctx.serviceUrl ?? ''}/ui/records/${encodeURIComponent(recordId)}`
  // A fragment never reaches a server, a log or a Referer header.
  const fragment =
    'token' in minted.body
      ? new URLSearchParams({ session: minted.body.token, expires: minted.body.expiresAt, return: back })
      : new URLSearchParams({ error: minted.status === 403 ? 'forbidden' : 'unavailable', return: back })
  redirect(res, `${page}#${fragment.toString()}`)
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
  })
  res.end(html)
}

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(302, { Location: location, ...(cookie ? { 'Set-Cookie': cookie } : {}) })
  res.end()
}

const clearCookie = () => `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`

function safeLocalPath(path: string | null): string | undefined {
  return path && path.startsWith('/') && !path.startsWith('//') ? path : undefined
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return decodeURIComponent(value.join('='))
  }
  return undefined
}
