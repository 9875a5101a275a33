// Faults a real cluster produces now and then, on demand: dropped watches, 5xx/429 answers, slow
// answers, compacted history. Switchable in-process or over the admin endpoints under /sandbox/faults.
import { ApiError, internalError, serviceUnavailable, tooManyRequests } from './errors.js'

export interface FailureRule {
  status: 500 | 503 | 429
  /** How many matching requests fail; then the rule is used up. */
  count: number
  /** Only requests whose path contains this text. */
  path?: string
  /** Only this verb: a Kubernetes verb (get, list, watch, create, update, patch, delete) or an HTTP method. */
  verb?: string
  /** For 429 and 503: the Retry-After header, in seconds (default 1). */
  retryAfterSeconds?: number
}

export interface FaultState {
  failures: FailureRule[]
  delayMs: number
  openWatches: number
}

export class FaultInjector {
  private failures: FailureRule[] = []
  private delay = 0
  private readonly watchClosers = new Set<() => void>()
  private readonly expireHooks = new Set<() => void>()

  /** Answers the next `rule.count` matching requests with `rule.status`. */
  failNext(rule: FailureRule): void {
    if (![500, 503, 429].includes(rule.status)) throw new Error(`unsupported fault status ${rule.status}`)
    this.failures.push({ ...rule })
  }

  /** Delays every API response by `ms` milliseconds (0 turns it off). */
  delayResponses(ms: number): void {
    this.delay = Math.max(0, ms)
  }

  /** Closes every open watch connection now; returns how many were closed. */
  dropWatches(): number {
    const closers = [...this.watchClosers]
    this.watchClosers.clear()
    for (const close of closers) close()
    return closers.length
  }

  /** Compacts the watch history: every resourceVersion handed out so far is answered with 410 Expired. */
  expireResourceVersions(): void {
    for (const hook of this.expireHooks) hook()
  }

  clear(): void {
    this.failures = []
    this.delay = 0
  }

  state(): FaultState {
    return {
      failures: this.failures.map((f) => ({ ...f })),
      delayMs: this.delay,
      openWatches: this.watchClosers.size,
    }
  }

  /** @internal the server registers each open watch so it can be dropped. */
  trackWatch(close: () => void): () => void {
    this.watchClosers.add(close)
    return () => this.watchClosers.delete(close)
  }

  /** @internal the server tells how to compact its store. */
  onExpire(hook: () => void): () => void {
    this.expireHooks.add(hook)
    return () => this.expireHooks.delete(hook)
  }

  get delayMs(): number {
    return this.delay
  }

  /** @internal the error to answer this request with, if a rule matches (and uses it up). */
  takeFailure(method: string, path: string, verb: string): ApiError | undefined {
    const index = this.failures.findIndex(
      (rule) =>
        (!rule.path || path.includes(rule.path)) &&
        (!rule.verb || rule.verb.toLowerCase() === verb || rule.verb.toUpperCase() === method),
    )
    if (index < 0) return undefined
    const rule = this.failures[index] as FailureRule
    rule.count -= 1
    if (rule.count <= 0) this.failures.splice(index, 1)
    const retryAfter = rule.retryAfterSeconds ?? 1
    if (rule.status === 429) return tooManyRequests(retryAfter)
    if (rule.status === 503) {
      const error = serviceUnavailable()
      error.status.details = { retryAfterSeconds: retryAfter }
      return error
    }
    return internalError('injected fault')
  }
}
