// Asking the API server for a Workflow by name, for runs the informer has not shown past the grace
// period. Answers are cached briefly and concurrent questions about one name share one request, so
// a page full of vanished runs, or many clients polling it, costs one GET per run per TTL.
import { LRUCache } from 'lru-cache'
import { KubeAccessError, type ArgoClient } from '../argo/index.js'
import type { ArgoAnswer } from './run-status.js'

export interface ArgoLookupOptions {
  /** How long an answer (found or absent) is reused (default 5 s). */
  answerTtlMs?: number
  /** How long a failure is reused, so an unreachable cluster is not hammered (default 2 s). */
  failureTtlMs?: number
  /** Most names remembered (default 10,000). */
  max?: number
}

export class ArgoLookup {
  private readonly answers: LRUCache<string, ArgoAnswer>
  private readonly inFlight = new Map<string, Promise<ArgoAnswer>>()
  private readonly answerTtlMs: number
  private readonly failureTtlMs: number

  constructor(
    private readonly argo: Pick<ArgoClient, 'getWorkflow'>,
    options: ArgoLookupOptions = {},
  ) {
    this.answerTtlMs = options.answerTtlMs ?? 5_000
    this.failureTtlMs = options.failureTtlMs ?? 2_000
    this.answers = new LRUCache({ max: options.max ?? 10_000, ttl: this.answerTtlMs, ttlAutopurge: false })
  }

  /** The API server's answer about `name`, from the cache when recent. Never throws. */
  ask(name: string): Promise<ArgoAnswer> {
    const cached = this.answers.get(name)
    if (cached) return Promise.resolve(cached)
    const pending = this.inFlight.get(name)
    if (pending) return pending
    const request = this.fetch(name).finally(() => this.inFlight.delete(name))
    this.inFlight.set(name, request)
    return request
  }

  /** Forgets what is known about `name` (e.g. after the service itself created or deleted it). */
  forget(name: string): void {
    this.answers.delete(name)
  }

  private async fetch(name: string): Promise<ArgoAnswer> {
    let answer: ArgoAnswer
    try {
      const workflow = await this.argo.getWorkflow(name)
      answer = workflow ? { kind: 'found', workflow } : { kind: 'absent' }
    } catch (error) {
      const reason = error instanceof KubeAccessError ? error.message : String(error)
      answer = { kind: 'failed', reason }
      this.answers.set(name, answer, { ttl: this.failureTtlMs })
      return answer
    }
    this.answers.set(name, answer)
    return answer
  }
}

// One lookup cache per Kubernetes client, i.e. per service instance, without a field on the context.
const lookups = new WeakMap<object, ArgoLookup>()

export function argoLookupFor(argo: Pick<ArgoClient, 'getWorkflow'>): ArgoLookup {
  let lookup = lookups.get(argo)
  if (!lookup) lookups.set(argo, (lookup = new ArgoLookup(argo)))
  return lookup
}
