import { canonicalJson, templateDigest } from '../../../src/catalog/manifest-digest.js'

const template = {
  metadata: { name: 'gaussian-tools', namespace: 'compchem' },
  spec: { templates: [{ name: 'parse-log', container: { image: 'parser:1', args: ['/input', '/output'] } }] },
}

describe('templateDigest', () => {
  test('is a sha256 hex digest', () => {
    expect(templateDigest([template])).toMatch(/^[0-9a-f]{64}$/)
  })

  test('does not change when object keys come in another order', () => {
    const reordered = {
      spec: {
        templates: [{ container: { args: ['/input', '/output'], image: 'parser:1' }, name: 'parse-log' }],
      },
      metadata: { namespace: 'compchem', name: 'gaussian-tools' },
    }
    expect(templateDigest([reordered])).toBe(templateDigest([template]))
  })

  test('changes when content, array order or template order changes', () => {
    const base = templateDigest([template, { b: 1 }])
    const changedImage = structuredClone(template)
    changedImage.spec.templates[0]!.container.image = 'parser:2'
    expect(templateDigest([changedImage, { b: 1 }])).not.toBe(base)
    const swappedArgs = structuredClone(template)
    swappedArgs.spec.templates[0]!.container.args.reverse()
    expect(templateDigest([swappedArgs, { b: 1 }])).not.toBe(base)
    expect(templateDigest([{ b: 1 }, template])).not.toBe(base)
  })

  test('canonical JSON sorts keys at every depth and drops undefined like JSON does', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"e":2,"f":1}]},"b":1}',
    )
  })
})
