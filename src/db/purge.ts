// The one way rows leave the write-once tables: a purge transaction, for retention of deleted records.
import type { PrismaClient } from './generated/client.js'

export interface PurgeCounts {
  outcomes: number
  links: number
  runs: number
  files: number
  /** Automatic requests (and their resolutions) deleted; present only when there were any. */
  automaticRequests?: number
}

/**
 * Deletes every row of the record in one transaction that first sets `compchem.purge` to its own
 * transaction id (locally), which the write-once triggers require before they let a DELETE through.
 * Children go first: the triggers refuse to delete a row something still refers to.
 */
export async function purgeRecord(prisma: PrismaClient, recordId: string): Promise<PurgeCounts> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('compchem.purge', pg_current_xact_id()::text, true)`
    await tx.$executeRaw`
      DELETE FROM compchem_auto_resolution s USING compchem_auto_request r
       WHERE s.request_id = r.id AND r.record_id = ${recordId}`
    const automaticRequests =
      await tx.$executeRaw`DELETE FROM compchem_auto_request WHERE record_id = ${recordId}`
    const outcomes = await tx.$executeRaw`
      DELETE FROM compchem_workflow_outcome o USING compchem_workflow w
       WHERE o.workflow_id = w.id AND w.record_id = ${recordId}`
    // Run tokens are not counted: they are credentials, not history.
    await tx.$executeRaw`
      DELETE FROM compchem_run_token t USING compchem_workflow w
       WHERE t.workflow_id = w.id AND w.record_id = ${recordId}`
    const links = await tx.$executeRaw`
      DELETE FROM compchem_workflow_file l USING compchem_workflow w
       WHERE l.workflow_id = w.id AND w.record_id = ${recordId}`
    const runs = await tx.$executeRaw`DELETE FROM compchem_workflow WHERE record_id = ${recordId}`
    const files = await tx.$executeRaw`DELETE FROM compchem_file WHERE record_id = ${recordId}`
    return { outcomes, links, runs, files, ...(automaticRequests ? { automaticRequests } : {}) }
  })
}
