import { backoffDelay } from '../../../src/argo/backoff.js'

const options = { initialMs: 100, maxMs: 10_000 }

test('grows exponentially up to the cap, with half of it jittered', () => {
  expect(backoffDelay(1, options, () => 0)).toBe(50)
  expect(backoffDelay(1, options, () => 1)).toBe(100)
  expect(backoffDelay(4, options, () => 1)).toBe(800)
  expect(backoffDelay(50, options, () => 1)).toBe(10_000)
  expect(backoffDelay(50, options, () => 0)).toBe(5_000)
})
