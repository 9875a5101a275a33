// Run tokens (DESIGN.md "Security"): 256 random bits per run attempt, stored only as a SHA-256 hash,
// handed to the pods through a Secret owned by the Workflow (so Kubernetes deletes it with the
// Workflow) and accepted only while the run has not ended and the token has not expired.
import { createHash, randomBytes } from 'node:crypto'
import { isTerminal, type ArgoClient, type Workflow, type WorkflowInformer } from '../argo/index.js'
import { RUN_TOKEN_SECRET_KEY } from '../catalog/manifest-contract.js'
import type { Database, RunRow } from '../db/index.js'
import { findRunById } from '../db/runs.js'
import { findRunToken, insertRunToken } from '../db/run-tokens.js'

/** The token is unknown, expired, or its run has ended: the caller answers 401. */
export class RunTokenRejectedError extends Error {
  override readonly name = 'RunTokenRejectedError'
}

/** Run tokens are recognisable (log scanners, the policy layer) without being guessable. */
export const RUN_TOKEN_PREFIX = 'cfr_'
const RUN_TOKEN = /^cfr_[A-Za-z0-9_-]{43}$/

/** Name of the Secret holding the run's token; the manifest refers to it by name only. */
export function runTokenSecretName(runName: string): string {
  return `${runName}-run-token`
}

export function isRunToken(token: string): boolean {
  return token.startsWith(RUN_TOKEN_PREFIX)
}

export function hashRunToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

export interface RunTokenContext {
  db: Pick<Database, 'prisma'>
  settings: { runTokenTtlSeconds: number }
  argo: Pick<ArgoClient, 'createOwnedSecret' | 'deleteSecret' | 'getWorkflow'>
  now?: () => Date
}

/** Mints a token for the run attempt and stores its hash; the token itself is returned once. */
export async function mintRunToken(
  ctx: Pick<RunTokenContext, 'db' | 'settings' | 'now'>,
  run: Pick<RunRow, 'id'>,
  attempt: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = RUN_TOKEN_PREFIX + randomBytes(32).toString('base64url')
  const now = ctx.now?.() ?? new Date()
  const expiresAt = new Date(now.getTime() + ctx.settings.runTokenTtlSeconds * 1000)
  await insertRunToken(ctx.db.prisma, {
    tokenHash: hashRunToken(token),
    workflowId: run.id,
    attempt,
    expiresAt,
  })
  return { token, expiresAt }
}

/**
 * Mints a token for the attempt and puts it in the run's Secret, owned by the Workflow (which must
 * exist: its uid is the owner reference). A Secret left from an earlier attempt is replaced.
 */
export async function issueRunTokenSecret(
  ctx: RunTokenContext,
  run: Pick<RunRow, 'id' | 'name'>,
  workflow: Pick<Workflow, 'metadata'>,
  attempt = 1,
): Promise<void> {
  const uid = workflow.metadata.uid
  if (!uid) throw new Error(`Workflow ${run.name} has no uid yet: cannot own its run token Secret`)
  const { token } = await mintRunToken(ctx, run, attempt)
  const name = runTokenSecretName(run.name)
  if (attempt > 1) await ctx.argo.deleteSecret(name)
  await ctx.argo.createOwnedSecret(name, { [RUN_TOKEN_SECRET_KEY]: token }, { name: run.name, uid })
}

/** For a retry in place (issue 7): a fresh token for the new attempt, in the same Secret. */
export async function renewRunToken(ctx: RunTokenContext, run: Pick<RunRow, 'id' | 'name'>, attempt: number) {
  const workflow = await ctx.argo.getWorkflow(run.name)
  if (!workflow) throw new Error(`Workflow ${run.name} is gone: no token to renew`)
  await issueRunTokenSecret(ctx, run, workflow, attempt)
}

/** What a genuine run token grants: its own run's record and files. */
export interface RunGrant {
  run: RunRow
  attempt: number
  expiresAt: Date
}

export interface RunTokenCheckContext {
  db: Pick<Database, 'prisma'>
  informer: Pick<WorkflowInformer, 'get'>
  argo: Pick<ArgoClient, 'getWorkflow'>
  now?: () => Date
}

/**
 * The grant of a token that is known, unexpired, and whose run attempt has not ended (no outcome
 * row, and Argo does not say terminal or gone). RunTokenRejectedError otherwise: revocation is
 * automatic when the run ends.
 */
export async function verifyRunToken(ctx: RunTokenCheckContext, token: string): Promise<RunGrant> {
  if (!RUN_TOKEN.test(token)) throw new RunTokenRejectedError('not a run token')
  const row = await findRunToken(ctx.db.prisma, hashRunToken(token))
  if (!row) throw new RunTokenRejectedError('unknown run token')
  const now = ctx.now?.() ?? new Date()
  if (row.expiresAt.getTime() <= now.getTime()) throw new RunTokenRejectedError('the run token has expired')
  const run = await findRunById(ctx.db.prisma, row.workflowId)
  if (!run) throw new RunTokenRejectedError('the run of this token is gone')
  if (run.outcomes.some((outcome) => outcome.attempt >= row.attempt))
    throw new RunTokenRejectedError('the run of this token has ended')
  const workflow = ctx.informer.get(run.name) ?? (await ctx.argo.getWorkflow(run.name))
  if (!workflow || workflow.metadata.deletionTimestamp)
    throw new RunTokenRejectedError('the Workflow of this token is gone')
  if (isTerminal(workflow.status?.phase)) throw new RunTokenRejectedError('the run of this token has ended')
  return { run, attempt: row.attempt, expiresAt: row.expiresAt }
}
