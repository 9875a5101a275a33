// Health checks are plain objects each concern provides (database, catalog, Kubernetes, Invenio…).
// They run concurrently, each bounded by its own timeout, so one hanging dependency cannot stall
// a probe or hide the state of the others.
import { redactSecretsInText } from '../log.js'

export interface HealthCheck {
  name: string
  /** Critical checks decide readiness; the others are only reported by /api/v1/health. */
  critical: boolean
  /** Resolves when the dependency is usable, rejects (or times out) when it is not. */
  check(): Promise<void | { details?: Record<string, unknown> }>
  timeoutMs?: number
}

export interface HealthCheckResult {
  name: string
  critical: boolean
  state: 'up' | 'down'
  latencyMs: number
  error?: string
  details?: Record<string, unknown>
}

export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 2000

class HealthCheckTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HealthCheckTimeout(`timed out after ${timeoutMs} ms`)), timeoutMs)
    timer.unref()
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return redactSecretsInText(message || 'check failed')
}

export async function runHealthCheck(
  healthCheck: HealthCheck,
  defaultTimeoutMs = DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
): Promise<HealthCheckResult> {
  const started = performance.now()
  const base = { name: healthCheck.name, critical: healthCheck.critical }
  const elapsed = () => Math.round(performance.now() - started)
  try {
    // Wrapped so a check that throws synchronously is reported like one that rejects.
    const outcome = await withTimeout(
      Promise.resolve().then(() => healthCheck.check()),
      healthCheck.timeoutMs ?? defaultTimeoutMs,
    )
    const details = outcome?.details
    return { ...base, state: 'up', latencyMs: elapsed(), ...(details ? { details } : {}) }
  } catch (error) {
    return { ...base, state: 'down', latencyMs: elapsed(), error: describeFailure(error) }
  }
}

export function runHealthChecks(
  checks: readonly HealthCheck[],
  defaultTimeoutMs = DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
): Promise<HealthCheckResult[]> {
  return Promise.all(checks.map((healthCheck) => runHealthCheck(healthCheck, defaultTimeoutMs)))
}

export function failingCritical(results: readonly HealthCheckResult[]): HealthCheckResult[] {
  return results.filter((result) => result.critical && result.state === 'down')
}
