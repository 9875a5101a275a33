// The write-once audit of run actions: one row per request that reached a run, whatever came of it.
import { toBigIntId, type Db, type InputJsonObject, type JsonValue } from './rows.js'

export type ActionResultKind = 'accepted' | 'already-in-effect' | 'refused' | 'failed'

export interface NewAction {
  workflowId: string
  action: string
  requestedBy: string
  result: ActionResultKind
  detail?: InputJsonObject
}

export interface ActionRow {
  id: string
  workflowId: string
  action: string
  requestedBy: string
  requestedAt: Date
  result: ActionResultKind
  detail: JsonValue
}

type ActionModel = Awaited<ReturnType<Db['compchemWorkflowAction']['create']>>

function toActionRow(row: ActionModel): ActionRow {
  return {
    id: row.id.toString(),
    workflowId: row.workflowId.toString(),
    action: row.action,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt,
    result: row.result as ActionResultKind,
    detail: row.detail,
  }
}

export async function insertAction(db: Db, action: NewAction): Promise<ActionRow> {
  const created = await db.compchemWorkflowAction.create({
    data: {
      workflowId: toBigIntId(action.workflowId, 'workflowId'),
      action: action.action,
      requestedBy: action.requestedBy,
      result: action.result,
      detail: action.detail ?? {},
    },
  })
  return toActionRow(created)
}

/** A run's actions, oldest first. */
export async function listActions(db: Db, workflowId: string): Promise<ActionRow[]> {
  const rows = await db.compchemWorkflowAction.findMany({
    where: { workflowId: toBigIntId(workflowId, 'workflowId') },
    orderBy: { id: 'asc' },
  })
  return rows.map(toActionRow)
}
