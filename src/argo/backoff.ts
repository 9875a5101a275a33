export interface BackoffOptions {
  initialMs: number
  maxMs: number
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so many replicas
 * restarting after the same outage do not hammer the API server in step.
 */
export function backoffDelay(
  failures: number,
  { initialMs, maxMs }: BackoffOptions,
  random = Math.random,
): number {
  const exponent = Math.max(0, failures - 1)
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(exponent, 30))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
