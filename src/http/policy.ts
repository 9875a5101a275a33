// The one policy table (DESIGN.md "Security"): every route of the API, by method and OpenAPI path,
// with what its caller must be. enforcePolicy applies it before body parsing and validation, so an
// unauthenticated caller learns nothing about the request shape, and a route missing from the table
// is refused (test/integration/security/policy-matrix.test.ts fails CI on it first).

/** Which identities a route accepts and how access is scoped. */
export type Access =
  /** Anyone: health, the OpenAPI document. */
  | { kind: 'public' }
  /** Any Invenio user or Invenio itself (service token): catalog and matching. */
  | { kind: 'authenticated' }
  /**
   * One record's routes: an Invenio user Invenio lets read it (its draft when `draft`), a session
   * bound to it, or the service token. The record is the `recordId` path parameter, or the record of
   * the run named by `name`. With `stream`, a signed stream URL of that scope is accepted as well.
   */
  | { kind: 'record'; via: 'recordId' | 'run'; draft: boolean; stream?: 'events' | 'logs' }
  /** Invenio itself only (the service token). */
  | { kind: 'service' }
  /** A workflow pod: the run token of the run named by `name`. */
  | { kind: 'run-token' }
  /** The route verifies its own credential (a signed webhook body). */
  | { kind: 'self' }

export interface RoutePolicy {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** The path exactly as in openapi.yaml. */
  path: string
  access: Access
  /** Rate-limited per identity (settings RATE_LIMIT_*). */
  rateLimit?: 'start' | 'action'
}

const PUBLIC: Access = { kind: 'public' }
const readRecord: Access = { kind: 'record', via: 'recordId', draft: false }
const editRecord: Access = { kind: 'record', via: 'recordId', draft: true }

export const POLICIES: readonly RoutePolicy[] = [
  { method: 'GET', path: '/api/v1/health/liveness', access: PUBLIC },
  { method: 'GET', path: '/api/v1/health/readiness', access: PUBLIC },
  { method: 'GET', path: '/api/v1/health', access: PUBLIC },
  { method: 'GET', path: '/api/v1/openapi.json', access: PUBLIC },
  // Public like health: restrict it at the ingress if series names or counts are sensitive.
  { method: 'GET', path: '/metrics', access: PUBLIC },

  { method: 'GET', path: '/api/v1/workflow-types', access: { kind: 'authenticated' } },
  { method: 'POST', path: '/api/v1/workflows/available', access: { kind: 'authenticated' } },

  { method: 'GET', path: '/api/v1/records/{recordId}/files', access: readRecord },
  { method: 'GET', path: '/api/v1/records/{recordId}/workflows', access: readRecord },
  { method: 'POST', path: '/api/v1/records/{recordId}/workflows', access: editRecord, rateLimit: 'start' },
  {
    method: 'POST',
    path: '/api/v1/records/{recordId}/workflows/batch',
    access: editRecord,
    rateLimit: 'start',
  },
  { method: 'POST', path: '/api/v1/records/{recordId}/sync', access: editRecord, rateLimit: 'action' },
  { method: 'GET', path: '/api/v1/workflows/{name}', access: { kind: 'record', via: 'run', draft: false } },
  {
    method: 'POST',
    path: '/api/v1/workflows/{name}/{action}',
    access: { kind: 'record', via: 'run', draft: true },
    rateLimit: 'action',
  },

  {
    method: 'GET',
    path: '/api/v1/records/{recordId}/events',
    access: { kind: 'record', via: 'recordId', draft: false, stream: 'events' },
  },
  {
    method: 'GET',
    path: '/api/v1/workflows/{name}/logs',
    access: { kind: 'record', via: 'run', draft: false, stream: 'logs' },
  },
  { method: 'POST', path: '/api/v1/records/{recordId}/stream-urls', access: readRecord, rateLimit: 'action' },

  { method: 'POST', path: '/api/v1/sessions', access: { kind: 'service' }, rateLimit: 'action' },
  { method: 'POST', path: '/api/v1/events/invenio', access: { kind: 'self' } },

  { method: 'GET', path: '/api/v1/runs/{name}/files/{key}', access: { kind: 'run-token' } },
  { method: 'PUT', path: '/api/v1/runs/{name}/results/{key}', access: { kind: 'run-token' } },
]

export interface MatchedPolicy {
  policy: RoutePolicy
  /** Path parameters, percent-decoded; undefined when a segment does not decode. */
  params: Record<string, string | undefined>
}

interface CompiledPolicy {
  policy: RoutePolicy
  pattern: RegExp
  names: string[]
  literalSegments: number
}

function compile(policy: RoutePolicy): CompiledPolicy {
  const names: string[] = []
  const segments = policy.path.split('/')
  const source = segments
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment)
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')
      names.push(param[1]!)
      return '([^/]+)'
    })
    .join('/')
  return {
    policy,
    pattern: new RegExp(`^${source}/?$`),
    names,
    literalSegments: segments.length - names.length,
  }
}

/** Literal paths win over templated ones (`/workflows/available` over `/workflows/{name}`). */
const COMPILED = POLICIES.map(compile).sort((a, b) => b.literalSegments - a.literalSegments)

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** The policy of a request (raw path, without the query); null when no route has one. */
export function matchPolicy(method: string, rawPath: string): MatchedPolicy | null {
  const wanted = method === 'HEAD' ? 'GET' : method
  for (const compiled of COMPILED) {
    if (compiled.policy.method !== wanted) continue
    const match = compiled.pattern.exec(rawPath)
    if (!match) continue
    const params: Record<string, string | undefined> = {}
    compiled.names.forEach((name, index) => (params[name] = decode(match[index + 1]!)))
    return { policy: compiled.policy, params }
  }
  return null
}

/** Does any policy know this path under some method (then another method is a 405, not a 404)? */
export function pathHasPolicy(rawPath: string): boolean {
  return COMPILED.some((compiled) => compiled.pattern.test(rawPath))
}

/** CORS options: only the configured Invenio origins get CORS headers; others get none. */
export function corsOptions(origins: readonly string[]) {
  const allowed = new Set(origins)
  return {
    origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) =>
      callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'Location'],
    credentials: false,
    maxAge: 600,
  }
}
