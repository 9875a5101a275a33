// One logger factory for the whole service: JSON lines, ISO timestamps, level labels, and secrets
// removed both by field path (redact) and inside free text (messages, error messages, URLs).
import { pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Logger } from 'pino'

export type { Logger } from 'pino'

export interface LoggerOptions {
  level?: string
  name?: string
  destination?: DestinationStream
}

export const REDACTED = '[Redacted]'

const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'serviceToken',
  'runToken',
  'sessionToken',
  'apiKey',
  'privateKey',
  'signingKey',
  'clientSecret',
  'databaseUrl',
  'DATABASE_URL',
  'connectionString',
]

// fast-redact matches fixed depths only, so each field is listed at the depths where it occurs in
// practice: top level, inside one object (config.password) and two (settings.db.password).
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-service-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
]

// Query parameters that carry credentials (signed stream URLs, tokens) in URLs that get logged.
const SECRET_QUERY_PARAMS = ['token', 'access_token', 'sig', 'signature', 'secret', 'password', 'key']

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g
const QUERY_SECRET = new RegExp(`([?&](?:${SECRET_QUERY_PARAMS.join('|')})=)[^&#\\s]*`, 'gi')

/** Removes credentials that hide inside text: `postgres://user:pass@…`, `Bearer …`, `?sig=…`. */
export function redactSecretsInText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(QUERY_SECRET, `$1${REDACTED}`)
}

function serializeError(error: Error): ReturnType<typeof stdSerializers.err> {
  const serialized = stdSerializers.err(error)
  if (typeof serialized.message === 'string') serialized.message = redactSecretsInText(serialized.message)
  if (typeof serialized.stack === 'string') serialized.stack = redactSecretsInText(serialized.stack)
  return serialized
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level ?? 'info',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: serializeError, error: serializeError },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactSecretsInText(arg) : arg))
          return method.apply(this, scrubbed as Parameters<typeof method>)
        },
      },
    },
    opts.destination,
  )
}
