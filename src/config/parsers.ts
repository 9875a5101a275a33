// Small parsers for setting values. Each returns the parsed value or an `Invalid` that says what is
// wrong with the value and what is expected; settings.ts turns that into one error line.

export class Invalid {
  constructor(
    /** Follows the quoted value: `"abc" is not a port number`. */
    readonly problem: string,
    /** Follows `set KEY to`: `an integer between 1 and 65535`. */
    readonly expected: string,
  ) {}
}

export type Parser<T> = (raw: string) => T | Invalid

export const text: Parser<string> = (raw) => raw

export function integer(min: number, max: number, what = 'an integer'): Parser<number> {
  return (raw) => {
    const value = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
    if (!Number.isSafeInteger(value))
      return new Invalid(`is not ${what}`, `an integer between ${min} and ${max}`)
    if (value < min || value > max)
      return new Invalid(`is out of range`, `an integer between ${min} and ${max}`)
    return value
  }
}

export const port: Parser<number> = (raw) => {
  const value = integer(1, 65535)(raw)
  return value instanceof Invalid ? new Invalid('is not a port number', value.expected) : value
}

export const seconds = (min: number, max: number): Parser<number> =>
  integer(min, max, 'a whole number of seconds')

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on'])
const FALSE_WORDS = new Set(['false', '0', 'no', 'off'])

export const boolean: Parser<boolean> = (raw) => {
  const word = raw.trim().toLowerCase()
  if (TRUE_WORDS.has(word)) return true
  if (FALSE_WORDS.has(word)) return false
  return new Invalid('is not a boolean', 'true or false')
}

export function oneOf<T extends string>(choices: readonly T[]): Parser<T> {
  return (raw) => {
    // Case-insensitive, answering with the canonical spelling (Argo's podGC strategies are CamelCase).
    const word = raw.trim().toLowerCase()
    const found = choices.find((choice) => choice.toLowerCase() === word)
    return found ?? new Invalid('is not one of the allowed values', `one of ${choices.join(', ')}`)
  }
}

/** An absolute http(s) URL, returned without a trailing slash so callers can append paths. */
export function httpUrl(example: string): Parser<string> {
  return (raw) => {
    let url: URL
    try {
      url = new URL(raw.trim())
    } catch {
      return new Invalid('is not an absolute URL', `an http(s) URL such as ${example}`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return new Invalid(
        `has scheme ${url.protocol} instead of http: or https:`,
        `an http(s) URL such as ${example}`,
      )
    }
    return raw.trim().replace(/\/+$/, '')
  }
}

export const postgresUrl: Parser<string> = (raw) => {
  const expected =
    'a URL such as postgresql://user:password@host:5432/database, or unset it for embedded PGlite'
  try {
    const url = new URL(raw.trim())
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return raw.trim()
    return new Invalid('is not a postgresql:// URL', expected)
  } catch {
    return new Invalid('is not a URL', expected)
  }
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export const dnsLabel: Parser<string> = (raw) =>
  raw.length <= 63 && DNS_1123_LABEL.test(raw)
    ? raw
    : new Invalid(
        'is not a DNS-1123 label',
        'at most 63 lowercase letters, digits and dashes, starting and ending with a letter or digit',
      )

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

export const dnsSubdomain: Parser<string> = (raw) =>
  raw.length <= 253 && DNS_1123_SUBDOMAIN.test(raw)
    ? raw
    : new Invalid(
        'is not a Kubernetes object name',
        'lowercase letters, digits, dashes and dots (DNS-1123 subdomain)',
      )

/** Sizes the way express/body-parser (the `bytes` package) reads them: `512kb`, `1mb`, `1048576`. */
export const byteSize: Parser<string> = (raw) =>
  /^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i.test(raw.trim())
    ? raw.trim().toLowerCase()
    : new Invalid('is not a size', 'a number of bytes or a size such as 100kb or 1mb')

/** A Kubernetes resource quantity for a volume request, e.g. `1Gi`, `500Mi`. */
export const quantity: Parser<string> = (raw) =>
  /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(raw.trim()) && Number.parseFloat(raw) > 0
    ? raw.trim()
    : new Invalid('is not a Kubernetes quantity', 'a positive size such as 500Mi or 1Gi')

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** `{base}/api/records/{id}/draft`: {id} is required, {base} (INVENIO_URL) optional, nothing else. */
export const recordUrlTemplate: Parser<string> = (raw) => {
  const expected = 'a pattern with {id} such as {base}/api/experiments/{id}/draft'
  const value = raw.trim()
  const placeholders: string[] = value.match(/\{[^}]*\}/g) ?? []
  const unknown = placeholders.find((placeholder) => placeholder !== '{id}' && placeholder !== '{base}')
  if (unknown) return new Invalid(`has unknown placeholder ${unknown}`, expected)
  if (!placeholders.includes('{id}')) return new Invalid('has no {id} placeholder', expected)
  if (!value.startsWith('{base}') && !/^https?:\/\//.test(value)) {
    return new Invalid('does not start with {base} or http(s)://', expected)
  }
  return value
}

/** A path on the Invenio server, starting with '/'. */
export const urlPath: Parser<string> = (raw) =>
  raw.trim().startsWith('/')
    ? raw.trim()
    : new Invalid('is not a path', 'a path starting with /, such as /api/me')

export interface ArtifactRepositoryRef {
  configMap: string
  key?: string
}

/** `<configmap>` or `<configmap>#<key>`, Argo's artifactRepositoryRef. */
export const artifactRepositoryRef: Parser<ArtifactRepositoryRef> = (raw) => {
  const [configMap = '', key, ...rest] = raw.trim().split('#')
  const expected = 'a ConfigMap name, optionally with #key, such as artifact-repositories#default-v1'
  if (rest.length > 0 || key === '') return new Invalid('is not <configmap>#<key>', expected)
  if (dnsSubdomain(configMap) instanceof Invalid)
    return new Invalid('does not start with a ConfigMap name', expected)
  return key === undefined ? { configMap } : { configMap, key }
}
