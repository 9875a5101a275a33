// Token buckets per identity, held in an LRU so a flood of identities cannot grow memory without
// bound (an evicted bucket simply starts full again).
import { LRUCache } from 'lru-cache'

export interface RateLimitOptions {
  perMinute: number
  burst: number
  maxKeys?: number
  now?: () => number
}

interface Bucket {
  tokens: number
  at: number
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number }

export class TokenBucketLimiter {
  private readonly buckets: LRUCache<string, Bucket>
  private readonly perMs: number

  constructor(private readonly options: RateLimitOptions) {
    this.buckets = new LRUCache({ max: options.maxKeys ?? 50_000 })
    this.perMs = options.perMinute / 60_000
  }

  /** Takes one token from the key's bucket, or says how long until one is there. */
  take(key: string): RateDecision {
    const now = this.options.now?.() ?? Date.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now }
    const tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.perMs)
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now })
      return { allowed: true }
    }
    this.buckets.set(key, { tokens, at: now })
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)) }
  }
}
