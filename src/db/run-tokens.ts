// Run tokens: only their SHA-256 is stored, with the run attempt and expiry. Write-once.
import type { PrismaClient } from './generated/client.js'
import { toBigIntId, type Db } from './rows.js'

export interface RunTokenRow {
  tokenHash: string
  workflowId: string
  attempt: number
  expiresAt: Date
  createdAt: Date
}

export interface NewRunToken {
  tokenHash: string
  workflowId: string
  attempt: number
  expiresAt: Date
}

export async function insertRunToken(prisma: PrismaClient, token: NewRunToken): Promise<void> {
  // In a transaction: the embedded PGlite serves one transaction at a time, whereas bare statements
  // of concurrent connections can interleave on its single session.
  const inserted = await prisma.$transaction(
    (tx) => tx.$executeRaw`
    INSERT INTO compchem_run_token (token_hash, workflow_id, attempt, expires_at)
    VALUES (${token.tokenHash}, ${toBigIntId(token.workflowId, 'workflowId')}, ${token.attempt}, ${token.expiresAt})`,
    // Waits its turn behind a burst of starts rather than failing one.
    { maxWait: 60_000, timeout: 60_000 },
  )
  if (inserted !== 1) throw new Error(`run token of workflow ${token.workflowId} was not stored`)
}

export async function findRunToken(db: Db, tokenHash: string): Promise<RunTokenRow | null> {
  const row = await db.compchemRunToken.findUnique({ where: { tokenHash } })
  return row ? { ...row, workflowId: row.workflowId.toString() } : null
}
