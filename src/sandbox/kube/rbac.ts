// Bearer tokens and a tiny RBAC table, so least-privilege needs can be tested. Forbidden messages use
// the real authorizer's wording (apiserver responsewriters.forbiddenMessage).
import { forbidden, unauthorized } from './errors.js'
import type { QualifiedResource } from './errors.js'

export interface RbacRule {
  /** get, list, watch, create, update, patch, delete, or '*'. */
  verbs: string[]
  /** Plural resources, subresources as 'pods/log', or '*'. */
  resources: string[]
  /** Namespaces the rule applies to; omitted or ['*'] means all, including cluster scope. */
  namespaces?: string[]
}

export interface RbacSubject {
  /** Name shown in Forbidden messages. */
  user: string
  rules: RbacRule[]
}

/** token → who it is and what it may do. */
export type RbacTable = Record<string, RbacSubject>

export interface RequestAttributes extends QualifiedResource {
  verb: string
  subresource?: string
  namespace?: string
  name?: string
}

function allows(rule: RbacRule, attrs: RequestAttributes): boolean {
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource
  const verbOk = rule.verbs.includes('*') || rule.verbs.includes(attrs.verb)
  const resourceOk = rule.resources.includes('*') || rule.resources.includes(resource)
  const namespaces = rule.namespaces ?? ['*']
  const namespaceOk =
    namespaces.includes('*') || (attrs.namespace !== undefined && namespaces.includes(attrs.namespace))
  return verbOk && resourceOk && namespaceOk
}

/** Who the bearer token belongs to; throws 401 when a table is configured and the token is not in it. */
export function authenticate(
  table: RbacTable | undefined,
  authorization: string | undefined,
): RbacSubject | undefined {
  if (!table) return undefined
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim()
  const subject = token ? table[token] : undefined
  if (!subject) throw unauthorized()
  return subject
}

export function authorize(subject: RbacSubject | undefined, attrs: RequestAttributes): void {
  if (!subject || subject.rules.some((rule) => allows(rule, attrs))) return
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource
  const where = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope'
  const why = `User "${subject.user}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}" ${where}`
  throw forbidden(attrs, attrs.name, why)
}
