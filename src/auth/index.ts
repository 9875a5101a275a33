// Authentication and access decisions (DESIGN.md "Security"). Increment 1 knows one identity, the
// Invenio user; sessions, the service token, signed URLs and run tokens join here later.
import type { InvenioClient } from '../invenio/index.js'
import { AccessChecker, type AccessCheckerOptions } from './access-checker.js'

export {
  AccessChecker,
  RecordAccessDeniedError,
  UnknownRecordError,
  UnknownUserError,
  tokenHash,
  type AccessCheckerOptions,
  type RecordAccess,
  type UserIdentity,
} from './access-checker.js'

/** What the auth layer needs from the service context. */
export interface AuthDependencies {
  invenio: InvenioClient
}

// One checker (and so one cache) per service instance, without widening the service context.
const checkers = new WeakMap<AuthDependencies, AccessChecker>()

/** The access checker of this service instance, created on first use. */
export function accessCheckerFor(
  deps: AuthDependencies,
  options: Omit<AccessCheckerOptions, 'invenio'> = {},
): AccessChecker {
  let checker = checkers.get(deps)
  if (!checker) {
    checker = new AccessChecker({ ...options, invenio: deps.invenio })
    checkers.set(deps, checker)
  }
  return checker
}
