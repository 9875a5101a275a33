// The numbering floor Argo imposes: runs keep counting after the highest seq on the record's
// Workflows, even with an empty database (the original design notes' requirement).
import { maxSeqInArgo, RECORD_ID_LABEL, recordIdLabelValue } from '../argo/index.js'
import type { ProcessingContext } from './context.js'

/**
 * Highest seq among the record's Workflows in Argo: from the informer cache once it has synced,
 * otherwise from a labelled list on the API server (so a fresh replica does not reuse names).
 */
export async function maxSeqOfRecordInArgo(
  ctx: Pick<ProcessingContext, 'informer' | 'argo'>,
  recordId: string,
): Promise<number> {
  if (ctx.informer.synced()) return maxSeqInArgo(ctx.informer.byRecord(recordId), recordId)
  const listed = await ctx.argo.listWorkflows(`${RECORD_ID_LABEL}=${recordIdLabelValue(recordId)}`)
  return maxSeqInArgo(listed, recordId)
}
