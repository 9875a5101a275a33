// Express middleware for who may call what (DESIGN.md "Security"): a bearer token Invenio knows as a
// logged-in user, and for record routes, Invenio letting that token read the record (its draft when
// the route starts or steers runs). Decisions come from src/auth; Invenio failures fail closed
// (503/502 through toHttpProblem).
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import {
  accessCheckerFor,
  RecordAccessDeniedError,
  UnknownRecordError,
  UnknownUserError,
  type AuthDependencies,
  type RecordAccess,
  type UserIdentity,
} from '../auth/index.js'
import type { InvenioRecord } from '../invenio/index.js'
import { conflict, forbidden, notFound, unauthorized } from './problem.js'

// RFC 6750 token68 characters; long enough for any real token, short enough to refuse junk early.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
const MAX_TOKEN_LENGTH = 4096

/** The bearer token of the request; 401 when missing or malformed. */
export function bearerToken(req: Request): string {
  const header = req.headers.authorization
  if (!header) throw unauthorized('An Authorization: Bearer <token> header is required.')
  const token = BEARER.exec(header)?.[1]
  if (!token || token.length > MAX_TOKEN_LENGTH)
    throw unauthorized('The Authorization header must be "Bearer <token>".')
  return token
}

async function authenticate(deps: AuthDependencies, req: Request, res: Response): Promise<UserIdentity> {
  const known = res.locals.identity as UserIdentity | undefined
  if (known) return known
  const token = bearerToken(req)
  try {
    const identity = await accessCheckerFor(deps).checkUser(token)
    res.locals.identity = identity
    return identity
  } catch (error) {
    if (error instanceof UnknownUserError) throw unauthorized('Invenio does not know this token.')
    throw error
  }
}

/** Lets the request through when its bearer token belongs to an Invenio user (res.locals.identity). */
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
 * Lets the request through when Invenio lets the caller read the record named by the route
 * (res.locals.identity and res.locals.recordAccess). 401 unknown token, 403 no access, 404 unknown
 * record, 409 no draft when one is needed.
 */
export function requireRecordAccess(deps: AuthDependencies, options: RecordAccessOptions): RequestHandler {
  const param = options.param ?? 'recordId'
  return async (req: Request, res: Response, next: NextFunction) => {
    const identity = await authenticate(deps, req, res)
    const recordId = req.params[param]
    if (typeof recordId !== 'string' || recordId === '') throw notFound('No record id in the path.')
    let access: RecordAccess
    try {
      access = await accessCheckerFor(deps).checkRecord(identity.token, recordId)
    } catch (error) {
      if (error instanceof RecordAccessDeniedError)
        throw forbidden(`You may not access record ${recordId}.`, { recordId })
      if (error instanceof UnknownRecordError) throw notFound(`No record ${recordId}.`, { recordId })
      throw error
    }
    if (options.needDraft && access.kind !== 'draft') {
      if (access.draftRefused)
        throw forbidden(`You may read record ${recordId} but not edit its draft.`, { recordId })
      throw conflict(`Record ${recordId} has no draft; starting and steering runs need one.`, { recordId })
    }
    res.locals.recordAccess = access
    next()
  }
}

/** The authenticated caller (after requireUser or requireRecordAccess). */
export function callerOf(res: Response): UserIdentity {
  const identity = res.locals.identity as UserIdentity | undefined
  if (!identity) throw new Error('no caller on this request: is requireUser mounted?')
  return identity
}

/** The record access decided by requireRecordAccess. */
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
