// The `snapshot` event: the record's runs as the list shows them (status join, src/processing/status.ts),
// with the steps of those Argo still has, so a client needs nothing else to draw the record.
import { listRecordRuns, type StatusContext } from '../processing/status.js'
import { stepViewsOf } from '../processing/steps.js'

/** Runs in a snapshot (newest first); older ones stay reachable through the list route. */
export const SNAPSHOT_RUNS = 1000

export async function recordSnapshot(context: StatusContext, recordId: string): Promise<unknown[]> {
  const { items } = await listRecordRuns(context, recordId, { limit: SNAPSHOT_RUNS })
  return items.map((run) => {
    const workflow = context.informer.get(run.name)
    return { ...run, steps: workflow ? stepViewsOf(workflow) : [] }
  })
}
