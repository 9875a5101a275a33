import type { Logger } from 'pino'
import { RECORD_ID_LABEL, recordIdLabelValue } from './labels.js'
import type { Workflow } from './types.js'

export type WorkflowEvent = 'add' | 'update' | 'delete'
/** `old` is the previous version on update; on delete `workflow` is the last known object. */
export type WorkflowListener = (workflow: Workflow, old?: Workflow) => void

function nameOf(workflow: Workflow): string {
  return workflow.metadata.name ?? ''
}

function recordOf(workflow: Workflow): string | undefined {
  return workflow.metadata.labels?.[RECORD_ID_LABEL]
}

/**
 * Workflows by name with an index by record, emitting add/update/delete in the order changes are
 * applied. It decides the event itself from what it holds, so a relist that re-announces known
 * objects costs nothing and a change is never reported twice.
 */
export class WorkflowCache {
  private readonly byName = new Map<string, Workflow>()
  private readonly namesByRecord = new Map<string, Set<string>>()
  private readonly listeners: Record<WorkflowEvent, Set<WorkflowListener>> = {
    add: new Set(),
    update: new Set(),
    delete: new Set(),
  }

  constructor(private readonly logger: Logger) {}

  get size(): number {
    return this.byName.size
  }

  get(name: string): Workflow | undefined {
    return this.byName.get(name)
  }

  list(): Workflow[] {
    return [...this.byName.values()]
  }

  names(): string[] {
    return [...this.byName.keys()]
  }

  byRecord(recordId: string): Workflow[] {
    const names = this.namesByRecord.get(recordIdLabelValue(recordId))
    if (!names) return []
    return [...names].map((name) => this.byName.get(name)).filter((wf): wf is Workflow => wf !== undefined)
  }

  on(event: WorkflowEvent, listener: WorkflowListener): () => void {
    this.listeners[event].add(listener)
    return () => this.off(event, listener)
  }

  off(event: WorkflowEvent, listener: WorkflowListener): void {
    this.listeners[event].delete(listener)
  }

  /** Stores the object; emits add, update (when the resourceVersion changed) or nothing. */
  upsert(workflow: Workflow): void {
    const name = nameOf(workflow)
    const old = this.byName.get(name)
    if (old && old.metadata.resourceVersion === workflow.metadata.resourceVersion) return
    this.byName.set(name, workflow)
    if (old && recordOf(old) !== recordOf(workflow)) this.unindex(name, old)
    this.index(name, workflow)
    if (old) this.emit('update', workflow, old)
    else this.emit('add', workflow)
  }

  /** Forgets the object; `last` (the final state the server sent) is reported when given. */
  remove(name: string, last?: Workflow): void {
    const old = this.byName.get(name)
    if (!old) return
    this.byName.delete(name)
    this.unindex(name, old)
    this.emit('delete', last ?? old)
  }

  /** Makes the cache equal to a full list: deletes what is missing, then adds and updates. */
  replaceAll(items: Workflow[]): void {
    const present = new Set(items.map(nameOf))
    for (const name of this.names()) {
      if (!present.has(name)) this.remove(name)
    }
    for (const item of items) this.upsert(item)
  }

  private index(name: string, workflow: Workflow): void {
    const record = recordOf(workflow)
    if (record === undefined) return
    let names = this.namesByRecord.get(record)
    if (!names) this.namesByRecord.set(record, (names = new Set()))
    names.add(name)
  }

  private unindex(name: string, workflow: Workflow): void {
    const record = recordOf(workflow)
    if (record === undefined) return
    const names = this.namesByRecord.get(record)
    names?.delete(name)
    if (names?.size === 0) this.namesByRecord.delete(record)
  }

  private emit(event: WorkflowEvent, workflow: Workflow, old?: Workflow): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        listener(workflow, old)
      } catch (error) {
        // One faulty consumer must not stop the others or the informer.
        this.logger.error({ err: error, event, workflow: nameOf(workflow) }, 'informer listener failed')
      }
    }
  }
}
