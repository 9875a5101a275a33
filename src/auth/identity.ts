// The identities of DESIGN.md "Security": who a request comes from once its credential is verified.
import type { InvenioCredentials } from '../invenio/index.js'
import type { StreamScope } from './stream-urls.js'

/** An Invenio user calling with a personal access token (API, CLI). */
export interface UserIdentity {
  kind: 'user'
  /** Invenio user id (stored as created_by on runs). */
  userId: string
  username?: string
  /** The caller's own token, used to read Invenio on their behalf. Never log it. */
  token: string
}

/** The deposit form: a session token Invenio minted for its logged-in user and one record. */
export interface SessionIdentity {
  kind: 'session'
  userId: string
  recordId: string
  expiresAt: Date
  /** The session token itself (the access checker recognises it); never sent to Invenio. */
  token: string
}

/** Invenio itself, with the service token; acts on behalf of the user it names, if any. */
export interface ServiceIdentity {
  kind: 'service'
  /** The user named by X-On-Behalf-Of, or 'service'. */
  userId: string
  token: string
}

/** A browser's EventSource with a signed stream URL. */
export interface StreamIdentity {
  kind: 'stream'
  recordId: string
  scope: StreamScope
  expiresAt: Date
  /** The `sig` value (the access checker recognises it). */
  token: string
}

/** A workflow pod with its run's token. */
export interface RunIdentity {
  kind: 'run'
  runId: string
  runName: string
  recordId: string
  attempt: number
  expiresAt: Date
}

export type Identity = UserIdentity | SessionIdentity | ServiceIdentity | StreamIdentity | RunIdentity
export type IdentityKind = Identity['kind']

/** Identities that act for a person and read Invenio: the user's own token, else the service's. */
export type PersonIdentity = UserIdentity | SessionIdentity | ServiceIdentity | StreamIdentity

export function invenioCredentialsOf(
  identity: PersonIdentity,
  service: InvenioCredentials,
): InvenioCredentials {
  return identity.kind === 'user' ? identity.token : service
}

/** A stable key for rate limits and logs: never the credential itself. */
export function rateKeyOf(identity: Identity): string {
  switch (identity.kind) {
    case 'user':
    case 'session':
      return `user:${identity.userId}`
    case 'service':
      return `service:${identity.userId}`
    case 'stream':
      return `stream:${identity.recordId}`
    case 'run':
      return `run:${identity.runName}`
  }
}
