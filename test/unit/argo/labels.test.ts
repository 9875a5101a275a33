import {
  FILES_ANNOTATION,
  SEQ_LABEL,
  filesFromAnnotations,
  recordIdLabelValue,
  seqFromLabels,
} from '../../../src/argo/labels.js'

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

describe('recordIdLabelValue', () => {
  test('keeps ids that are valid label values', () => {
    expect(recordIdLabelValue('abcd1-ef234')).toBe('abcd1-ef234')
  })

  test.each(['x'.repeat(64), 'a/b c', '-dash-', 'ünï', '///'])(
    'shortens %s into a valid, distinct value',
    (id) => {
      const value = recordIdLabelValue(id)
      expect(value.length).toBeLessThanOrEqual(63)
      expect(LABEL_VALUE.test(value)).toBe(true)
      expect(value).not.toBe(recordIdLabelValue(`${id}2`))
    },
  )
})

describe('seqFromLabels', () => {
  test.each([
    ['1', 1],
    ['250', 250],
    ['0', undefined],
    ['-3', undefined],
    ['01', undefined],
    ['1.5', undefined],
    ['abc', undefined],
    ['99999999999999999999', undefined],
  ])('%s → %s', (raw, seq) => {
    expect(seqFromLabels({ [SEQ_LABEL]: raw })).toBe(seq)
  })

  test('missing labels give undefined', () => {
    expect(seqFromLabels(undefined)).toBeUndefined()
    expect(seqFromLabels({})).toBeUndefined()
  })
})

describe('filesFromAnnotations', () => {
  test('reads the JSON list of file keys', () => {
    expect(filesFromAnnotations({ [FILES_ANNOTATION]: '["a.log","dir/b c.tpr"]' })).toEqual([
      'a.log',
      'dir/b c.tpr',
    ])
  })

  test('an unreadable annotation gives no files', () => {
    expect(filesFromAnnotations({ [FILES_ANNOTATION]: 'not json' })).toEqual([])
    expect(filesFromAnnotations({ [FILES_ANNOTATION]: '{"a":1}' })).toEqual([])
    expect(filesFromAnnotations(undefined)).toEqual([])
  })
})
