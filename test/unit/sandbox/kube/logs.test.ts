import { MemoryPodLogStore } from '../../../../src/sandbox/kube/logs.js'
import type { LogLine } from '../../../../src/sandbox/types.js'

test('log store records lines per container and ends followers on termination', async () => {
  const logs = new MemoryPodLogStore()
  expect(logs.state('ns', 'p', 'main')).toBeUndefined()
  logs.setState('ns', 'p', 'main', 'running')
  logs.append('ns', 'p', 'main', 'one\ntwo\n')
  const seen: (LogLine | undefined)[] = []
  logs.follow('ns', 'p', 'main', (line) => seen.push(line))
  logs.append('ns', 'p', 'main', 'three')
  logs.setState('ns', 'p', 'main', 'terminated')
  expect(logs.lines('ns', 'p', 'main').map((l) => l.text)).toEqual(['one', 'two', 'three'])
  expect(seen.map((l) => l?.text)).toEqual(['three', undefined])
  const late: (LogLine | undefined)[] = []
  logs.follow('ns', 'p', 'main', (line) => late.push(line))
  await Promise.resolve()
  expect(late).toEqual([undefined])
  logs.remove('ns', 'p')
  expect(logs.state('ns', 'p', 'main')).toBeUndefined()
})
