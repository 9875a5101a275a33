// GET /api/v1/health/liveness, /api/v1/health/readiness and /api/v1/health.
import { Router } from 'express'
import { failingCritical, runHealthChecks, type HealthCheck } from '../health.js'
import { HttpProblem } from '../problem.js'
import { sendProblem } from '../errors.js'

export interface HealthRouterDeps {
  checks: readonly HealthCheck[]
  version?: string
  /** Used for checks that set no timeoutMs of their own. */
  defaultTimeoutMs?: number
  /** Seconds a failing probe tells callers to wait. */
  retryAfterSeconds?: number
}

export function createHealthRouter(deps: HealthRouterDeps): Router {
  const router = Router()
  const version = deps.version === undefined ? {} : { version: deps.version }
  const retryAfter = String(deps.retryAfterSeconds ?? 5)
  const names = (results: { name: string }[]) => results.map((result) => result.name).join(', ')

  router.get('/api/v1/health/liveness', (_req, res) => {
    res.json({ status: 'up', ...version })
  })

  router.get('/api/v1/health/readiness', async (req, res) => {
    const results = await runHealthChecks(
      deps.checks.filter((check) => check.critical),
      deps.defaultTimeoutMs,
    )
    const failing = failingCritical(results)
    if (failing.length === 0) {
      res.json({ status: 'up', checks: results })
      return
    }
    const problem = new HttpProblem({
      kind: 'not-ready',
      detail: `Failing critical checks: ${names(failing)}.`,
      extensions: { checks: failing },
      headers: { 'Retry-After': retryAfter },
    })
    sendProblem(res, req, problem)
  })

  router.get('/api/v1/health', async (req, res) => {
    const results = await runHealthChecks(deps.checks, deps.defaultTimeoutMs)
    const failing = failingCritical(results)
    if (failing.length === 0) {
      res.json({ status: 'up', ...version, checks: results })
      return
    }
    const problem = new HttpProblem({
      kind: 'unhealthy',
      detail: `Critical checks down: ${names(failing)}.`,
      extensions: { ...version, checks: results },
      headers: { 'Retry-After': retryAfter },
    })
    sendProblem(res, req, problem)
  })

  return router
}
