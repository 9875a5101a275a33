// Every setting of the service, declared once: environment name, default, parser and a one-line doc.
// Precedence: table default < YAML file named by SETTINGS_FILE < environment variable.
import * as p from './parsers.js'
import { Invalid, type Parser } from './parsers.js'
import { SettingsError, quote } from './settings-error.js'
import { readSettingsFile } from './settings-file.js'

export { SettingsError } from './settings-error.js'

type Resolved = Readonly<Record<string, unknown>>

interface SettingSpec<T> {
  env: string
  parse: Parser<T>
  doc: string
  /** Raw text parsed like a user's value; a function sees the settings parsed before it. */
  default?: string | ((resolved: Resolved) => string)
  /** How the default reads in docs/configuration.md when it is computed or absent. */
  docDefault?: string
  /** Never shown in errors or logs. */
  secret?: boolean
}

interface RequiredSpec<T> extends SettingSpec<T> {
  default: string | ((resolved: Resolved) => string)
  optional: false
}
interface OptionalSpec<T> extends SettingSpec<T> {
  default?: undefined
  optional: true
}

const required = <T>(spec: Omit<RequiredSpec<T>, 'optional'>): RequiredSpec<T> => ({
  ...spec,
  optional: false,
})
const optional = <T>(spec: Omit<OptionalSpec<T>, 'optional'>): OptionalSpec<T> => ({
  ...spec,
  optional: true,
})

/** The table, in the order settings are resolved (a computed default may use those before it). */
export const settingsTable = {
  port: required({
    env: 'PORT',
    default: '8080',
    parse: p.port,
    doc: 'TCP port the HTTP server listens on.',
  }),
  host: required({
    env: 'HOST',
    default: '0.0.0.0',
    parse: p.text,
    doc: 'Address the HTTP server binds to.',
  }),
  logLevel: required({
    env: 'LOG_LEVEL',
    default: 'info',
    parse: p.oneOf(p.LOG_LEVELS),
    doc: `pino log level: ${p.LOG_LEVELS.join(', ')}.`,
  }),
  publicUrl: required({
    env: 'PUBLIC_URL',
    default: (resolved) => `http://localhost:${String(resolved.port)}`,
    docDefault: 'http://localhost:PORT',
    parse: p.httpUrl('https://files.example.org'),
    doc: 'URL at which browsers, Invenio and workflow pods reach this service (links, signed URLs, file proxy).',
  }),
  settingsFile: optional({
    env: 'SETTINGS_FILE',
    parse: p.text,
    doc: 'YAML file with settings (keys are these environment names); read from the environment only.',
  }),
  catalogFile: required({
    env: 'CATALOG_FILE',
    default: 'config/catalog.yaml',
    parse: p.text,
    doc: 'Workflow-type catalog (docs/catalog.md); relative paths are resolved from the working directory.',
  }),
  catalogWatch: required({
    env: 'CATALOG_WATCH',
    default: 'true',
    parse: p.boolean,
    doc: 'Reload the catalog when its file (or its ConfigMap directory) changes.',
  }),
  catalogPollSeconds: required({
    env: 'CATALOG_POLL_SECONDS',
    default: '30',
    parse: p.seconds(1, 86400),
    doc: 'How often the catalog file is also polled, in case file-system events are missed.',
  }),
  databaseUrl: optional({
    env: 'DATABASE_URL',
    parse: p.postgresUrl,
    secret: true,
    docDefault: '(unset: embedded PGlite)',
    doc: 'PostgreSQL connection URL. Unset: the service runs an embedded PGlite on a loopback port.',
  }),
  pgliteDataDir: required({
    env: 'PGLITE_DATA_DIR',
    default: '.data/pglite',
    parse: p.text,
    doc: "Data directory of the embedded PGlite; 'memory://' keeps it in memory. Ignored with DATABASE_URL.",
  }),
  dbMigrateOnStart: required({
    env: 'DB_MIGRATE_ON_START',
    default: 'true',
    parse: p.boolean,
    doc: 'Apply pending migrations from prisma/migrations at start-up.',
  }),
  httpBodyLimit: required({
    env: 'HTTP_BODY_LIMIT',
    default: '1mb',
    parse: p.byteSize,
    doc: 'Largest request body accepted; larger ones get 413.',
  }),
  httpRequestTimeoutSeconds: required({
    env: 'HTTP_REQUEST_TIMEOUT_SECONDS',
    default: '30',
    parse: p.seconds(1, 3600),
    doc: 'Time allowed to receive a whole request (Node requestTimeout). Streams are not cut by it.',
  }),
  httpHeadersTimeoutSeconds: required({
    env: 'HTTP_HEADERS_TIMEOUT_SECONDS',
    default: '20',
    parse: p.seconds(1, 3600),
    doc: 'Time allowed to receive request headers; at most HTTP_REQUEST_TIMEOUT_SECONDS.',
  }),
  shutdownGraceSeconds: required({
    env: 'SHUTDOWN_GRACE_SECONDS',
    default: '20',
    parse: p.seconds(1, 3600),
    doc: 'On SIGTERM, time allowed for requests in flight to finish before the process exits.',
  }),
  kubeNamespace: required({
    env: 'KUBE_NAMESPACE',
    default: 'default',
    parse: p.dnsLabel,
    doc: 'Namespace where Workflows are created and watched.',
  }),
  kubeContext: optional({
    env: 'KUBE_CONTEXT',
    parse: p.text,
    doc: "Context of the kubeconfig to use; unset uses the kubeconfig's current context. KUBECONFIG itself is read by the Kubernetes client; in a pod the in-cluster config is used.",
  }),
  invenioUrl: optional({
    env: 'INVENIO_URL',
    parse: p.httpUrl('https://compchem.example.org'),
    doc: 'Base URL of the Invenio repository; {base} in INVENIO_RECORD_URL_TEMPLATE.',
  }),
  invenioRecordUrlTemplate: required({
    env: 'INVENIO_RECORD_URL_TEMPLATE',
    default: '{base}/api/records/{id}/draft',
    parse: p.recordUrlTemplate,
    doc: "URL of a record's draft: {base} is INVENIO_URL, {id} the record id; other URLs are followed from the response's links.",
  }),
  invenioUserCheckPath: required({
    env: 'INVENIO_USER_CHECK_PATH',
    default: '/api/me',
    parse: p.urlPath,
    doc: 'Invenio endpoint that only a logged-in user may read; validates tokens on routes without a record.',
  }),
  invenioServiceToken: optional({
    env: 'INVENIO_SERVICE_TOKEN',
    parse: p.text,
    secret: true,
    doc: 'Token the service uses towards Invenio (and that Invenio presents to the service).',
  }),
  invenioTimeoutSeconds: required({
    env: 'INVENIO_TIMEOUT_SECONDS',
    default: '10',
    parse: p.seconds(1, 300),
    doc: 'Timeout of each request to Invenio; past it the answer is 503.',
  }),
  argoServerUrl: optional({
    env: 'ARGO_SERVER_URL',
    parse: p.httpUrl('https://argo-server.argo:2746'),
    doc: 'Argo Server, needed only for retrying failed steps in place; without it retry answers 409.',
  }),
  argoServerToken: optional({
    env: 'ARGO_SERVER_TOKEN',
    parse: p.text,
    secret: true,
    doc: 'Bearer token for the Argo Server.',
  }),
  argoServerInsecureSkipVerify: required({
    env: 'ARGO_SERVER_INSECURE_SKIP_VERIFY',
    default: 'false',
    parse: p.boolean,
    doc: "Accept the Argo Server's TLS certificate without verifying it (self-signed installs only).",
  }),
  fileTransfer: required({
    env: 'FILE_TRANSFER',
    default: 'volume',
    parse: p.oneOf(['volume', 'artifacts'] as const),
    doc: 'How files move between steps: a per-run volume (volume) or Argo artifacts (artifacts).',
  }),
  workflowPodGc: required({
    env: 'WORKFLOW_POD_GC',
    default: 'none',
    parse: p.oneOf([
      'none',
      'OnPodCompletion',
      'OnPodSuccess',
      'OnWorkflowCompletion',
      'OnWorkflowSuccess',
    ] as const),
    doc: "Argo podGC strategy of every run. none keeps a run's pods, and so the step logs users read, until WORKFLOW_TTL_SECONDS removes the Workflow with them.",
  }),
  workflowTtlSeconds: required({
    env: 'WORKFLOW_TTL_SECONDS',
    default: '604800',
    parse: p.seconds(0, 365 * 86400),
    doc: 'Argo ttlStrategy.secondsAfterCompletion: how long a finished Workflow (and its pods) stays in the cluster; 0 keeps it. Its outcome stays in the database either way.',
  }),
  volumeStorageClass: optional({
    env: 'VOLUME_STORAGE_CLASS',
    parse: p.dnsSubdomain,
    doc: "StorageClass of the per-run volume; unset uses the cluster's default StorageClass.",
  }),
  volumeSize: required({
    env: 'VOLUME_SIZE',
    default: '1Gi',
    parse: p.quantity,
    doc: 'Size requested for the per-run volume.',
  }),
  artifactRepositoryRef: optional({
    env: 'ARTIFACT_REPOSITORY_REF',
    parse: p.artifactRepositoryRef,
    doc: "With FILE_TRANSFER=artifacts: <configmap>#<key> of the artifact repository; unset uses the namespace's default.",
  }),
  pendingGraceSeconds: required({
    env: 'PENDING_GRACE_SECONDS',
    default: '30',
    parse: p.seconds(1, 3600),
    doc: 'How long a run Argo has not shown yet counts as Pending before the API server is asked (then NotFound).',
  }),
  sseHeartbeatSeconds: required({
    env: 'SSE_HEARTBEAT_SECONDS',
    default: '15',
    parse: p.seconds(1, 300),
    doc: 'Interval of the heartbeat comment on event streams, so proxies and clients know they are alive.',
  }),
  notifyWebhookUrls: required({
    env: 'NOTIFY_WEBHOOK_URLS',
    default: '',
    docDefault: '(unset)',
    parse: urlList,
    doc: 'Comma-separated URLs that receive a signed JSON POST when a run finishes (docs/notifications.md).',
  }),
  notifyWebhookSecret: optional({
    env: 'NOTIFY_WEBHOOK_SECRET',
    parse: p.text,
    secret: true,
    doc: 'HMAC-SHA256 key of the X-Compchem-Signature header on notification webhooks.',
  }),
  smtpUrl: optional({
    env: 'SMTP_URL',
    parse: p.text,
    secret: true,
    doc: 'SMTP server for completion emails (smtp[s]://user:password@host:port); unset sends no email.',
  }),
  notifyEmailFrom: required({
    env: 'NOTIFY_EMAIL_FROM',
    default: 'compchem-fileprocessor@localhost',
    parse: p.text,
    doc: 'From address of completion emails.',
  }),
  invenioWebhookSecrets: required({
    env: 'INVENIO_WEBHOOK_SECRETS',
    default: '',
    docDefault: '(unset)',
    parse: secretList,
    secret: true,
    doc: 'Comma-separated HMAC-SHA256 secrets accepted on POST /api/v1/events/invenio (several for rotation); unset refuses every event.',
  }),
  automaticMaxRunning: required({
    env: 'AUTOMATIC_MAX_RUNNING',
    default: '20',
    parse: p.integer(1, 100_000),
    doc: 'Most automatic runs running at once in total; further requests wait in order.',
  }),
  automaticMaxRunningPerRecord: required({
    env: 'AUTOMATIC_MAX_RUNNING_PER_RECORD',
    default: '2',
    parse: p.integer(1, 10_000),
    doc: 'Most automatic runs running at once per record; further requests of the record wait in order.',
  }),
  syncSweepSeconds: required({
    env: 'SYNC_SWEEP_SECONDS',
    default: '0',
    parse: p.seconds(0, 86_400),
    doc: 'Interval of the periodic reconciliation sweep over recently active records (one replica at a time); 0 turns it off.',
  }),
  corsOrigins: required({
    env: 'CORS_ORIGINS',
    default: '',
    docDefault: '(unset)',
    parse: originList,
    doc: 'Comma-separated origins (scheme://host[:port]) of the Invenio pages that embed the widget; only these get CORS headers.',
  }),
  authCacheAllowSeconds: required({
    env: 'AUTH_CACHE_ALLOW_SECONDS',
    default: '30',
    parse: p.seconds(0, 3600),
    doc: "How long Invenio's yes (a known user, access to a record) is remembered.",
  }),
  authCacheDenySeconds: required({
    env: 'AUTH_CACHE_DENY_SECONDS',
    default: '5',
    parse: p.seconds(0, 3600),
    doc: "How long Invenio's no is remembered; outages are never remembered.",
  }),
  sessionSigningKey: optional({
    env: 'SESSION_SIGNING_KEY',
    parse: signingKey,
    secret: true,
    docDefault: '(unset: random per process)',
    doc: 'Base64 HMAC key (at least 32 bytes) signing deposit-form session tokens; every replica needs the same.',
  }),
  sessionTtlSeconds: required({
    env: 'SESSION_TTL_SECONDS',
    default: '900',
    parse: p.seconds(30, 86400),
    doc: 'Lifetime of a deposit-form session token minted with POST /api/v1/sessions.',
  }),
  streamUrlKeys: optional({
    env: 'STREAM_URL_KEYS',
    parse: keyRing,
    secret: true,
    docDefault: '(unset: random per process)',
    doc: 'Signing keys of stream URLs as kid:base64key,...; the first signs, all are accepted (rotation).',
  }),
  streamUrlTtlSeconds: required({
    env: 'STREAM_URL_TTL_SECONDS',
    default: '300',
    parse: p.seconds(5, 86400),
    doc: 'How long a signed stream URL may be used to connect.',
  }),
  runTokenTtlSeconds: required({
    env: 'RUN_TOKEN_TTL_SECONDS',
    default: '86400',
    parse: p.seconds(60, 30 * 86400),
    doc: 'Longest life of a run token; it dies earlier, when its run ends.',
  }),
  rateLimitStartPerMinute: required({
    env: 'RATE_LIMIT_START_PER_MINUTE',
    default: '120',
    parse: p.integer(1, 100000),
    doc: 'Run starts (single and batch) each identity may make per minute, on average.',
  }),
  rateLimitStartBurst: required({
    env: 'RATE_LIMIT_START_BURST',
    default: '100',
    parse: p.integer(1, 100000),
    doc: 'Run starts each identity may make at once before RATE_LIMIT_START_PER_MINUTE applies.',
  }),
  rateLimitActionPerMinute: required({
    env: 'RATE_LIMIT_ACTION_PER_MINUTE',
    default: '300',
    parse: p.integer(1, 100000),
    doc: 'Actions on runs (stop, retry, …) and minted sessions or stream URLs each identity may make per minute.',
  }),
  rateLimitActionBurst: required({
    env: 'RATE_LIMIT_ACTION_BURST',
    default: '100',
    parse: p.integer(1, 100000),
    doc: 'Actions each identity may make at once before RATE_LIMIT_ACTION_PER_MINUTE applies.',
  }),
} as const

/** A base64 HMAC key of at least 32 bytes. */
function signingKey(raw: string): Buffer | Invalid {
  const key = Buffer.from(raw.trim(), 'base64')
  if (key.length < 32 || !/^[A-Za-z0-9+/_-]+=*$/.test(raw.trim()))
    return new Invalid('is not a base64 key of at least 32 bytes', 'a base64 key of 32 bytes or more')
  return key
}

/** Signing keys: kid:base64key entries, comma-separated; the first one signs. */
function keyRing(raw: string): Array<{ kid: string; key: Buffer }> | Invalid {
  const expected = 'kid:base64key entries separated by commas, each key at least 32 bytes'
  const ring: Array<{ kid: string; key: Buffer }> = []
  for (const entry of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':')
    const kid = entry.slice(0, colon)
    if (colon < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(kid))
      return new Invalid('has an entry without a kid', expected)
    const key = signingKey(entry.slice(colon + 1))
    if (key instanceof Invalid) return new Invalid(`has a key (kid ${kid}) that ${key.problem}`, expected)
    if (ring.some((known) => known.kid === kid)) return new Invalid(`repeats kid ${kid}`, expected)
    ring.push({ kid, key })
  }
  if (!ring.length) return new Invalid('has no key', expected)
  return ring
}

/** Comma-separated origins; empty means none. */
function originList(raw: string): string[] | Invalid {
  const origins: string[] = []
  for (const item of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    let url: URL
    try {
      url = new URL(item)
    } catch {
      return new Invalid(
        `has an entry that is not an origin: ${JSON.stringify(item)}`,
        'origins like https://repo.example.org',
      )
    }
    if (!/^https?:$/.test(url.protocol) || url.origin !== item.replace(/\/$/, ''))
      return new Invalid(
        `has an entry that is not an origin: ${JSON.stringify(item)}`,
        'origins like https://repo.example.org',
      )
    origins.push(url.origin)
  }
  return origins
}

/** Comma-separated http(s) URLs; empty means none. */
function urlList(raw: string): string[] | Invalid {
  const urls: string[] = []
  for (const item of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const url = p.httpUrl('https://hooks.example.org/compchem')(item)
    if (url instanceof Invalid)
      return new Invalid(`has an entry that ${url.problem}`, `comma-separated ${url.expected}`)
    urls.push(url)
  }
  return urls
}

/** Comma-separated secrets; empty means none. */
function secretList(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
}

type Table = typeof settingsTable
type ValueOf<S> = S extends SettingSpec<infer T> ? T : never

/** The typed settings object. Optional settings are `undefined` when unset. */
export type Settings = {
  readonly [K in keyof Table]: Table[K] extends { optional: true }
    ? ValueOf<Table[K]> | undefined
    : ValueOf<Table[K]>
}

export type SettingName = keyof Table
export type SettingSpecOf = SettingSpec<unknown> & { optional: boolean }

export function settingSpecs(): Array<[SettingName, SettingSpecOf]> {
  return Object.entries(settingsTable) as Array<[SettingName, SettingSpecOf]>
}

/** The default as docs/configuration.md shows it. */
export function documentedDefault(spec: SettingSpecOf): string {
  if (spec.docDefault !== undefined) return spec.docDefault
  if (typeof spec.default === 'string') return spec.default
  return '(unset)'
}

interface RawValue {
  text: string
  origin: string
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const fromEnv = (name: string): string | undefined => {
    const value = env[name]
    // An empty variable counts as unset, so `FOO=` in a manifest does not turn into an invalid value.
    return value === undefined || value === '' ? undefined : value
  }
  const settingsFile = fromEnv('SETTINGS_FILE')
  const fromFile = settingsFile
    ? readSettingsFile(settingsFile, new Set(settingSpecs().map(([, spec]) => spec.env)))
    : new Map<string, string>()

  const resolved: Record<string, unknown> = {}
  for (const [name, spec] of settingSpecs()) {
    const raw = pickRaw(spec, fromEnv(spec.env), fromFile.get(spec.env), settingsFile, resolved)
    resolved[name] = raw === undefined ? undefined : parseOrThrow(spec, raw)
  }
  const settings = resolved as Settings
  checkTogether(settings)
  return Object.freeze(settings)
}

function pickRaw(
  spec: SettingSpecOf,
  envValue: string | undefined,
  fileValue: string | undefined,
  settingsFile: string | undefined,
  resolved: Resolved,
): RawValue | undefined {
  if (envValue !== undefined) return { text: envValue, origin: 'environment' }
  if (fileValue !== undefined) return { text: fileValue, origin: settingsFile ?? 'settings file' }
  if (spec.default === undefined) return undefined
  const text = typeof spec.default === 'function' ? spec.default(resolved) : spec.default
  return { text, origin: 'default' }
}

function parseOrThrow(spec: SettingSpecOf, raw: RawValue): unknown {
  const value = spec.parse(raw.text)
  if (!(value instanceof Invalid)) return value
  const shown = spec.secret ? 'the value (hidden, secret)' : quote(raw.text)
  const where = raw.origin === 'environment' ? '' : ` (from ${raw.origin})`
  throw new SettingsError(
    `${spec.env}: ${shown}${where} ${value.problem}; set ${spec.env} to ${value.expected}`,
    spec.env,
  )
}

function checkTogether(settings: Settings): void {
  if (settings.httpHeadersTimeoutSeconds > settings.httpRequestTimeoutSeconds) {
    throw new SettingsError(
      `HTTP_HEADERS_TIMEOUT_SECONDS: ${settings.httpHeadersTimeoutSeconds} is longer than HTTP_REQUEST_TIMEOUT_SECONDS (${settings.httpRequestTimeoutSeconds}); set HTTP_HEADERS_TIMEOUT_SECONDS to at most ${settings.httpRequestTimeoutSeconds}`,
      'HTTP_HEADERS_TIMEOUT_SECONDS',
    )
  }
}

/** A copy that is safe to log: secret settings replaced by '[redacted]' when set. */
export function redactSettings(settings: Settings): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...settings }
  for (const [name, spec] of settingSpecs()) {
    if (spec.secret && copy[name] !== undefined) copy[name] = '[redacted]'
  }
  return copy
}
