import { isDnsLabel, MAX_RUN_NAME, maxSeqInArgo, runName } from '../../../src/argo/names.js'
import { RECORD_ID_LABEL, SEQ_LABEL, recordIdLabelValue } from '../../../src/argo/labels.js'
import type { Workflow } from '../../../src/argo/types.js'

describe('runName', () => {
  test('clean short inputs give <type>-<recordId>-<seq> as they are', () => {
    expect(runName('gaussian-analysis', 'abcd1-ef234', 7)).toBe('gaussian-analysis-abcd1-ef234-7')
  })

  test.each([
    ['a very long workflow type name that goes on and on and on', 'abcd1-ef234'],
    ['gaussian', 'x'.repeat(200)],
    ['Gaussian_Analysis', 'ABCD1/EF234'],
    ['ünïcode type', 'récord id with spaces'],
    ['---', '...'],
    ['t', '-leading-and-trailing-'],
  ])('%s / %s becomes a DNS label of at most 63 characters ending in the seq', (type, record) => {
    for (const seq of [1, 42, 999_999_999]) {
      const name = runName(type, record, seq)
      expect(name.length).toBeLessThanOrEqual(MAX_RUN_NAME)
      expect(isDnsLabel(name)).toBe(true)
      expect(name.endsWith(`-${seq}`)).toBe(true)
    }
  })

  test('shortening is deterministic and keeps a readable prefix', () => {
    const type = 'gaussian-frequency-analysis-with-a-long-name'
    const record = 'r'.repeat(80)
    expect(runName(type, record, 3)).toBe(runName(type, record, 3))
    expect(runName(type, record, 3).startsWith('gaussian-frequen')).toBe(true)
  })

  test('different (type, record) pairs never share a name, even when they shorten alike', () => {
    const names = new Set<string>()
    const base = 'x'.repeat(70)
    const pairs: Array<[string, string]> = []
    for (let i = 0; i < 200; i++) pairs.push(['type', `${base}${i}`], [`${base}${i}`, 'rec'])
    // Inputs that differ only in characters a DNS label cannot hold.
    pairs.push(['Type', 'rec'], ['type', 'REC'], ['ty_pe', 'rec'], ['ty.pe', 'rec'])
    for (const [type, record] of pairs) names.add(runName(type, record, 1))
    expect(names.size).toBe(pairs.length)
  })

  test('rejects a seq that is not a positive integer', () => {
    expect(() => runName('t', 'r', 0)).toThrow(RangeError)
    expect(() => runName('t', 'r', 1.5)).toThrow(RangeError)
  })
})

describe('maxSeqInArgo', () => {
  const wf = (recordId: string, seq: string | undefined): Workflow => ({
    metadata: {
      name: `t-${recordId}-${seq}`,
      labels: { [RECORD_ID_LABEL]: recordIdLabelValue(recordId), ...(seq ? { [SEQ_LABEL]: seq } : {}) },
    },
  })

  test('is the highest seq among the record’s workflows, ignoring other records and bad labels', () => {
    const workflows = [
      wf('a', '3'),
      wf('a', '12'),
      wf('b', '40'),
      wf('a', 'x'),
      wf('a', undefined),
      wf('a', '07'),
    ]
    expect(maxSeqInArgo(workflows, 'a')).toBe(12)
    expect(maxSeqInArgo(workflows, 'c')).toBe(0)
  })

  test('matches records whose ids had to be shortened for the label', () => {
    const longId = 'L'.repeat(100)
    expect(maxSeqInArgo([wf(longId, '5')], longId)).toBe(5)
  })
})
