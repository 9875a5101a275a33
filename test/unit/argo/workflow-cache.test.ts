import pino from 'pino'
import { RECORD_ID_LABEL } from '../../../src/argo/labels.js'
import type { Workflow } from '../../../src/argo/types.js'
import { WorkflowCache } from '../../../src/argo/workflow-cache.js'

const logger = pino({ level: 'silent' })
const wf = (name: string, rv: string, record = 'rec1'): Workflow => ({
  metadata: { name, resourceVersion: rv, labels: { [RECORD_ID_LABEL]: record } },
})

function recorder(cache: WorkflowCache) {
  const events: string[] = []
  cache.on('add', (w) => events.push(`add ${w.metadata.name}@${w.metadata.resourceVersion}`))
  cache.on('update', (w, old) =>
    events.push(`update ${w.metadata.name}@${old?.metadata.resourceVersion}->${w.metadata.resourceVersion}`),
  )
  cache.on('delete', (w) => events.push(`delete ${w.metadata.name}@${w.metadata.resourceVersion}`))
  return events
}

test('emits add, update with the old object, and delete with the last object, in order', () => {
  const cache = new WorkflowCache(logger)
  const events = recorder(cache)
  cache.upsert(wf('a', '1'))
  cache.upsert(wf('a', '1'))
  cache.upsert(wf('a', '2'))
  cache.remove('a', wf('a', '3'))
  cache.remove('a')
  expect(events).toEqual(['add a@1', 'update a@1->2', 'delete a@3'])
})

test('replaceAll deletes what the list lacks and only reports real changes', () => {
  const cache = new WorkflowCache(logger)
  cache.upsert(wf('a', '1'))
  cache.upsert(wf('b', '1'))
  const events = recorder(cache)
  cache.replaceAll([wf('b', '1'), wf('c', '5')])
  expect(events).toEqual(['delete a@1', 'add c@5'])
  expect(cache.names().sort()).toEqual(['b', 'c'])
})

test('indexes by record and follows label changes', () => {
  const cache = new WorkflowCache(logger)
  cache.upsert(wf('a', '1', 'r1'))
  cache.upsert(wf('b', '1', 'r1'))
  cache.upsert(wf('c', '1', 'r2'))
  expect(
    cache
      .byRecord('r1')
      .map((w) => w.metadata.name)
      .sort(),
  ).toEqual(['a', 'b'])
  cache.upsert(wf('b', '2', 'r2'))
  cache.remove('a')
  expect(cache.byRecord('r1')).toEqual([])
  expect(
    cache
      .byRecord('r2')
      .map((w) => w.metadata.name)
      .sort(),
  ).toEqual(['b', 'c'])
})

test('a throwing listener does not stop the others', () => {
  const cache = new WorkflowCache(logger)
  const seen: string[] = []
  cache.on('add', () => {
    throw new Error('boom')
  })
  const off = cache.on('add', (w) => seen.push(w.metadata.name!))
  cache.upsert(wf('a', '1'))
  off()
  cache.upsert(wf('b', '1'))
  expect(seen).toEqual(['a'])
})
