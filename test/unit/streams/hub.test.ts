// The hub's resumption rules and bookkeeping, driven by a stand-in informer (the informer's own
// behaviour is tested in test/integration/argo).
import { pino } from 'pino'
import type { Workflow, WorkflowListener } from '../../../src/argo/index.js'
import { StreamHub, type HubEvent } from '../../../src/streams/hub.js'

class FakeInformer {
  readonly listeners = {
    add: new Set<WorkflowListener>(),
    update: new Set<WorkflowListener>(),
    delete: new Set<WorkflowListener>(),
  }
  on(event: 'add' | 'update' | 'delete', listener: WorkflowListener) {
    this.listeners[event].add(listener)
    return () => this.listeners[event].delete(listener)
  }
  emit(event: 'add' | 'update', workflow: Workflow, old?: Workflow) {
    for (const listener of this.listeners[event]) listener(workflow, old)
  }
}

function workflow(name: string, record: string, phase: string, progress = '0/1'): Workflow {
  return {
    metadata: { name, labels: { 'compchem.cz/record-id': record }, resourceVersion: `${Math.random()}` },
    status: { phase: phase as 'Running', progress },
  }
}

function setup(options: { replayPerRecord?: number } = {}) {
  const informer = new FakeInformer()
  const hub = new StreamHub({ informer, logger: pino({ level: 'silent' }), ...options })
  hub.start()
  return { informer, hub }
}

test('replays what came after a known id, and only events of the record', () => {
  const { informer, hub } = setup()
  const first = hub.subscribe('rec-a', undefined, () => {})
  expect(first.replay).toBeNull()
  const seen: HubEvent[] = []
  const live = hub.subscribe('rec-a', undefined, (event) => seen.push(event))
  hub.subscribe('rec-b', undefined, () => {})
  informer.emit('add', workflow('w1', 'rec-a', 'Pending'))
  informer.emit('add', workflow('w2', 'rec-b', 'Pending'))
  informer.emit('update', workflow('w1', 'rec-a', 'Running'), workflow('w1', 'rec-a', 'Pending'))
  informer.emit('update', workflow('w1', 'rec-a', 'Succeeded', '1/1'), workflow('w1', 'rec-a', 'Running'))
  expect(seen.map((event) => event.event)).toEqual(['workflow', 'workflow', 'workflow', 'completed'])

  const resumed = hub.subscribe('rec-a', seen[1]!.id, () => {})
  expect(resumed.replay!.map((event) => event.id)).toEqual(seen.slice(2).map((event) => event.id))
  const fromSnapshot = hub.subscribe('rec-a', first.position, () => {})
  expect(fromSnapshot.replay!.map((event) => event.id)).toEqual(seen.map((event) => event.id))
  live.close()
})

test('an update that changes nothing visible publishes nothing', () => {
  const { informer, hub } = setup()
  const seen: HubEvent[] = []
  hub.subscribe('rec', undefined, (event) => seen.push(event))
  informer.emit('update', workflow('w', 'rec', 'Running'), workflow('w', 'rec', 'Running'))
  expect(seen).toEqual([])
})

test('ids of another process, malformed ids and ids older than the buffer ask for a snapshot', () => {
  const { informer, hub } = setup({ replayPerRecord: 2 })
  const seen: HubEvent[] = []
  hub.subscribe('rec', undefined, (event) => seen.push(event))
  for (let i = 0; i < 5; i++)
    informer.emit('update', workflow('w', 'rec', 'Running', `${i}/9`), workflow('w', 'rec', 'Running', 'x'))
  expect(hub.subscribe('rec', seen[0]!.id, () => {}).replay).toBeNull()
  expect(hub.subscribe('rec', seen[2]!.id, () => {}).replay).toHaveLength(2)
  const other = new StreamHub({ informer: new FakeInformer(), logger: pino({ level: 'silent' }) })
  expect(hub.subscribe('rec', other.idOf(3), () => {}).replay).toBeNull()
  expect(hub.subscribe('rec', `${hub.epoch}-99999`, () => {}).replay).toBeNull()
  expect(hub.subscribe('rec', 'garbage', () => {}).replay).toBeNull()
})

test('closing subscriptions returns every count to where it was; the informer listeners stay two', () => {
  const { informer, hub } = setup()
  const before = hub.stats()
  const subscriptions = Array.from({ length: 1000 }, (_, i) =>
    hub.subscribe(`rec-${i % 50}`, undefined, () => {}),
  )
  expect(hub.stats().clients).toBe(1000)
  for (const subscription of subscriptions) {
    subscription.close()
    subscription.close()
  }
  const after = hub.stats()
  expect(after.clients).toBe(before.clients)
  expect(after.activeRecords).toBe(0)
  expect(after.subscriptionsClosed).toBe(1000)
  expect(informer.listeners.add.size + informer.listeners.update.size).toBe(2)
  hub.stop()
  expect(informer.listeners.add.size + informer.listeners.update.size).toBe(0)
})
