// Who may call what (DESIGN.md "Security"). enforcePolicy runs before body parsing and validation:
// it finds the route's policy (src/http/policy.ts), verifies the credential into an identity (401),
// checks the identity's kind and its scope — record, run, stream (403) — and the rate limit (429).
// requireUser / requireRecordAccess remain for the routes' own use and reuse what it decided.
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import {
  authFor,
  CredentialScopeError,
  InvalidCredentialError,
  isSessionToken,
  RecordAccessDeniedError,
  STREAM_URL_PARAM,
  UnknownRecordError,
  UnknownUserError,
  invenioCredentialsOf,
  rateKeyOf,
  type AuthDependencies,
  type Identity,
  type PersonIdentity,
  type RecordAccess,
} from '../auth/index.js'
import { findRunByName } from '../db/runs.js'
import { SERVICE_CREDENTIALS, type InvenioCredentials, type InvenioRecord } from '../invenio/index.js'
import {
  isRunToken,
  RunTokenRejectedError,
  verifyRunToken,
  type RunTokenCheckContext,
} from '../processing/run-tokens.js'
import { loadOpenApiDocument, type OpenApiDocument } from './openapi.js'
import { matchPolicy, type Access, type RoutePolicy } from './policy.js'
import {
  badRequest,
  conflict,
  forbidden,
  HttpProblem,
  notFound,
  tooManyRequests,
  unauthorized,
} from './problem.js'

// RFC 6750 token68 characters; long enough for any real token, short enough to refuse junk early.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
const MAX_TOKEN_LENGTH = 4096
/** Header with which Invenio (service token) names the user it acts for. */
export const ON_BEHALF_OF_HEADER = 'X-On-Behalf-Of'
const USER_ID = /^[A-Za-z0-9._@:-]{1,128}$/

/** The bearer token of the request; 401 when missing or malformed. */
export function bearerToken(req: Request): string {
  const header = req.headers.authorization
  if (!header) throw unauthorized('An Authorization: Bearer <token> header is required.')
  const token = BEARER.exec(header)?.[1]
  if (!token || token.length > MAX_TOKEN_LENGTH)
    throw unauthorized('The Authorization header must be "Bearer <token>".')
  return token
}

/** What enforcePolicy needs: Invenio and the settings (auth), the database and Argo (run tokens). */
export type SecurityContext = AuthDependencies & RunTokenCheckContext

/** The identity behind a bearer token; 401 when it is not a genuine one. */
async function identifyBearer(deps: AuthDependencies & Partial<RunTokenCheckContext>, req: Request) {
  const token = bearerToken(req)
  const auth = authFor(deps)
  if (auth.isServiceToken(token)) {
    const onBehalfOf = req.get(ON_BEHALF_OF_HEADER)
    if (onBehalfOf !== undefined && !USER_ID.test(onBehalfOf))
      throw badRequest(`${ON_BEHALF_OF_HEADER} must be an Invenio user id.`)
    return { kind: 'service', userId: onBehalfOf ?? 'service', token } satisfies Identity
  }
  try {
    if (isSessionToken(token))
      return { kind: 'session', ...auth.sessions.verify(token), token } satisfies Identity
    if (isRunToken(token)) {
      if (!deps.db || !deps.informer || !deps.argo)
        throw new InvalidCredentialError('run tokens are not accepted here')
      const grant = await verifyRunToken(deps as RunTokenCheckContext, token)
      return {
        kind: 'run',
        runId: grant.run.id,
        runName: grant.run.name,
        recordId: grant.run.recordId,
        attempt: grant.attempt,
        expiresAt: grant.expiresAt,
      } satisfies Identity
    }
    return await auth.checker.checkUser(token)
  } catch (error) {
    if (error instanceof InvalidCredentialError || error instanceof RunTokenRejectedError)
      throw unauthorized(`The token is not valid: ${error.message}.`)
    if (error instanceof UnknownUserError) throw unauthorized('Invenio does not know this token.')
    throw error
  }
}

function streamSignature(req: Request): string | undefined {
  const value = req.query[STREAM_URL_PARAM]
  return typeof value === 'string' ? value : undefined
}

const ALLOWED_KINDS: Record<Access['kind'], readonly Identity['kind'][]> = {
  public: [],
  self: [],
  // The catalog is the same for everyone; a deposit-form session needs it for the start dialog.
  authenticated: ['user', 'session', 'service'],
  record: ['user', 'session', 'service'],
  service: ['service'],
  'run-token': ['run'],
}

const REFUSAL: Record<Access['kind'], string> = {
  public: '',
  self: '',
  authenticated: 'This route is for Invenio users.',
  record: 'This route is for users with access to the record.',
  service: 'This route is for Invenio itself (the service token).',
  'run-token': "This route is for a run's own pods (its run token).",
}

/** Applies the policy table to every API request; see the file comment. */
export function enforcePolicy(
  context: SecurityContext,
  document: OpenApiDocument = loadOpenApiDocument(),
): RequestHandler {
  const documented = documentedRoutes(document)
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/api/') || req.method === 'OPTIONS') return next()
    const rawPath = req.originalUrl.split('?')[0] ?? req.path
    const matched = matchPolicy(req.method, rawPath)
    if (!matched) {
      // Fail closed: a documented route nobody gave a policy is refused (a bug the matrix test catches).
      if (documented.some((route) => route.method === req.method && route.pattern.test(rawPath)))
        throw new HttpProblem({ kind: 'internal', detail: `No access policy for ${req.method} ${req.path}.` })
      return next() // unknown route: the validator answers 404 or 405
    }
    const { policy, params } = matched
    const { access } = policy
    if (access.kind === 'public' || access.kind === 'self') return next()

    const sig =
      access.kind === 'record' && access.stream && !req.headers.authorization
        ? streamSignature(req)
        : undefined
    let identity: Identity
    if (sig !== undefined) {
      try {
        identity = { kind: 'stream', ...authFor(context).streamUrls.verify(sig), token: sig }
      } catch (error) {
        if (error instanceof InvalidCredentialError)
          throw unauthorized(`The stream URL is not valid: ${error.message}.`)
        throw error
      }
    } else {
      identity = await identifyBearer(context, req)
      if (!ALLOWED_KINDS[access.kind].includes(identity.kind)) throw forbidden(REFUSAL[access.kind])
    }
    res.locals.identity = identity

    if (access.kind === 'record') await authorizeRecord(context, res, identity, access, params)
    if (access.kind === 'run-token' && identity.kind === 'run' && identity.runName !== params.name)
      throw forbidden("A run token opens only its own run's files.", { name: params.name })

    if (policy.rateLimit) limit(context, policy, identity)
    next()
  }
}

async function authorizeRecord(
  context: SecurityContext,
  res: Response,
  identity: Identity,
  access: Extract<Access, { kind: 'record' }>,
  params: Record<string, string | undefined>,
): Promise<void> {
  let recordId = params.recordId
  if (access.via === 'run') {
    const name = params.name
    const run = name ? await findRunByName(context.db.prisma, name) : null
    if (!run) throw notFound(`No run ${name ?? ''}.`, { name })
    recordId = run.recordId
  }
  if (!recordId) throw notFound('No record id in the path.')
  if (identity.kind === 'stream') {
    const scope = access.stream === 'events' ? 'events' : `logs:${params.name ?? ''}`
    try {
      if (identity.recordId !== recordId)
        throw new CredentialScopeError('the stream URL is for another record')
      if (identity.scope !== scope) throw new CredentialScopeError('the stream URL is for another stream')
    } catch (error) {
      throw forbidden(`${(error as Error).message}.`, { recordId })
    }
    return
  }
  if (identity.kind === 'run') throw forbidden(REFUSAL.record)
  if (identity.kind === 'session' && identity.recordId !== recordId)
    throw forbidden(`This session is for another record than ${recordId}.`, { recordId })
  res.locals.recordAccess = await decideRecordAccess(context, identity, recordId, access.draft)
}

/**
 * What the token may see of the record, as a problem when nothing: 403 without access, 404 for a
 * record Invenio does not know (a run's record included: a record Invenio forgot hides its runs).
 */
export async function checkRecordAccess(
  deps: AuthDependencies,
  token: string,
  recordId: string,
): Promise<RecordAccess> {
  try {
    return await authFor(deps).checker.checkRecord(token, recordId)
  } catch (error) {
    if (error instanceof RecordAccessDeniedError)
      throw forbidden(`You may not access record ${recordId}.`, { recordId })
    if (error instanceof UnknownRecordError) throw notFound(`No record ${recordId}.`, { recordId })
    throw error
  }
}

async function decideRecordAccess(
  deps: AuthDependencies,
  identity: PersonIdentity,
  recordId: string,
  needDraft: boolean,
): Promise<RecordAccess> {
  const access = await checkRecordAccess(deps, identity.token, recordId)
  if (needDraft && access.kind !== 'draft') {
    if (access.draftRefused)
      throw forbidden(`You may read record ${recordId} but not edit its draft.`, { recordId })
    throw conflict(`Record ${recordId} has no draft; starting and steering runs need one.`, { recordId })
  }
  return access
}

function limit(context: SecurityContext, policy: RoutePolicy, identity: Identity): void {
  const bucket = authFor(context).limits[policy.rateLimit!]
  const decision = bucket.take(rateKeyOf(identity))
  if (!decision.allowed)
    throw tooManyRequests(
      `Too many ${policy.rateLimit === 'start' ? 'starts' : 'actions'}; try again in ${decision.retryAfterSeconds} s.`,
      decision.retryAfterSeconds,
    )
}

function documentedRoutes(document: OpenApiDocument): Array<{ method: string; pattern: RegExp }> {
  const routes: Array<{ method: string; pattern: RegExp }> = []
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const source = path
      .split('/')
      .map((segment) =>
        /^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'),
      )
      .join('/')
    for (const method of Object.keys(item as object))
      if (['get', 'put', 'post', 'patch', 'delete'].includes(method))
        routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}/?$`) })
  }
  return routes
}

async function authenticate(deps: AuthDependencies, req: Request, res: Response): Promise<PersonIdentity> {
  let identity = res.locals.identity as Identity | undefined
  if (!identity) {
    identity = await identifyBearer(deps, req)
    res.locals.identity = identity
  }
  if (identity.kind === 'run') throw forbidden(REFUSAL.record)
  return identity
}

/** Lets the request through when it carries a person's identity (res.locals.identity). */
export function requireUser(deps: AuthDependencies): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    await authenticate(deps, req, res)
    next()
  }
}

export interface RecordAccessOptions {
  /** Starting and steering runs need the draft; reading runs of a published record does not. */
  needDraft: boolean
  /** Route parameter holding the record id (default 'recordId'). */
  param?: string
}

/**
 * Lets the request through when the caller may read the record named by the route
 * (res.locals.identity and res.locals.recordAccess). 401 unknown token, 403 no access, 404 unknown
 * record, 409 no draft when one is needed.
 */
export function requireRecordAccess(deps: AuthDependencies, options: RecordAccessOptions): RequestHandler {
  const param = options.param ?? 'recordId'
  return async (req: Request, res: Response, next: NextFunction) => {
    const identity = await authenticate(deps, req, res)
    const recordId = req.params[param]
    if (typeof recordId !== 'string' || recordId === '') throw notFound('No record id in the path.')
    if ((identity.kind === 'session' || identity.kind === 'stream') && identity.recordId !== recordId)
      throw forbidden(`This credential is for another record than ${recordId}.`, { recordId })
    res.locals.recordAccess = await decideRecordAccess(deps, identity, recordId, options.needDraft)
    next()
  }
}

/** The caller as routes see it: who (for created_by) and how to read Invenio for them. */
export interface Caller {
  kind: PersonIdentity['kind']
  userId: string
  /** The credential as presented (the access checker recognises every kind). Never log it. */
  token: string
  /** What to send to Invenio: the user's own token, or the service's credentials for the others. */
  credentials: InvenioCredentials
}

/** The authenticated caller (after enforcePolicy, requireUser or requireRecordAccess). */
export function callerOf(res: Response): Caller {
  const identity = res.locals.identity as Identity | undefined
  if (!identity) throw new Error('no caller on this request: is requireUser mounted?')
  if (identity.kind === 'run') throw new Error('a run token is not a caller of person routes')
  return {
    kind: identity.kind,
    userId: identity.kind === 'stream' ? 'stream' : identity.userId,
    token: identity.token,
    credentials: invenioCredentialsOf(identity, SERVICE_CREDENTIALS),
  }
}

/** The identity decided by enforcePolicy (any kind, run tokens included). */
export function identityOf(res: Response): Identity {
  const identity = res.locals.identity as Identity | undefined
  if (!identity) throw new Error('no identity on this request: is enforcePolicy mounted?')
  return identity
}

/** The record access decided by requireRecordAccess or enforcePolicy. */
export function recordAccessOf(res: Response): RecordAccess {
  const access = res.locals.recordAccess as RecordAccess | undefined
  if (!access) throw new Error('no record access on this request: is requireRecordAccess mounted?')
  return access
}

/** The draft decided by requireRecordAccess({needDraft: true}). */
export function draftOf(res: Response): InvenioRecord {
  const access = recordAccessOf(res)
  if (access.kind !== 'draft') throw new Error('record access has no draft: use needDraft: true')
  return access.draft
}
