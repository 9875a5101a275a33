import { KubeConfig } from '@kubernetes/client-node'
import type { KubeObject } from '../../src/sandbox/types.js'

test('esm imports work', () => {
  const o: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: {} }
  expect(new KubeConfig()).toBeDefined()
  expect(o.kind).toBe('Pod')
})
