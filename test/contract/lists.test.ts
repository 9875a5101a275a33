// Lists as clients page and filter them: equality and set-based label selectors, the metadata.name field
// selector, and limit/continue chunks, identical on the sandbox and a real API server.
import {
  coordinatesOf,
  describeTargets,
  failure,
  labelled,
  RUN_LABEL,
  type KubeList,
  type KubeObject,
  type Target,
} from './target.js'

function template(target: Target, name: string, labels: Record<string, string>): KubeObject {
  return labelled(target, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: `${target.prefix}-${name}`, labels },
    spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: {} }] },
  })
}

describeTargets('Kubernetes lists: selectors and chunks', (t) => {
  const templates = (target: Target) => coordinatesOf(target, 'workflowtemplates')
  const names = (list: KubeList, target: Target) =>
    list.items.map((item) => item.metadata.name!.slice(target.prefix.length + 1)).sort()

  beforeAll(async () => {
    const target = t()
    const labels: Record<string, Record<string, string>> = {
      a: { tier: 'one', env: 'prod' },
      b: { tier: 'two', env: 'dev' },
      c: { tier: 'three' },
      d: { tier: 'one' },
      e: {},
    }
    for (const [name, set] of Object.entries(labels))
      await target.custom.createNamespacedCustomObject({
        ...templates(target),
        body: template(target, name, set),
      })
  })

  const list = async (target: Target, options: { labelSelector?: string; fieldSelector?: string }) =>
    (await target.custom.listNamespacedCustomObject({
      ...templates(target),
      ...options,
      labelSelector: [`${RUN_LABEL}=${target.prefix}`, options.labelSelector].filter(Boolean).join(','),
    })) as KubeList

  test.each([
    ['tier=one', ['a', 'd']],
    ['tier==one', ['a', 'd']],
    ['tier!=one', ['b', 'c', 'e']],
    ['tier in (one,two)', ['a', 'b', 'd']],
    ['tier notin (one,two)', ['c', 'e']],
    ['env', ['a', 'b']],
    ['!env', ['c', 'd', 'e']],
    ['tier in (one),env notin (dev)', ['a', 'd']],
  ])('labelSelector %s', async (selector, expected) => {
    const target = t()
    expect(names(await list(target, { labelSelector: selector }), target)).toEqual(expected)
  })

  test('a malformed label selector is a 400 BadRequest', async () => {
    const target = t()
    const refused = await failure(list(target, { labelSelector: 'tier in one' }))
    expect(refused.code).toBe(400)
    expect(refused.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 })
  })

  test('fieldSelector metadata.name= and != pick by name', async () => {
    const target = t()
    const only = await list(target, { fieldSelector: `metadata.name=${target.prefix}-b` })
    expect(names(only, target)).toEqual(['b'])
    const others = await list(target, { fieldSelector: `metadata.name!=${target.prefix}-b` })
    expect(names(others, target)).toEqual(['a', 'c', 'd', 'e'])
    const both = await list(target, {
      fieldSelector: `metadata.name=${target.prefix}-b`,
      labelSelector: 'env',
    })
    expect(names(both, target)).toEqual(['b'])
  })

  test('a field a custom resource cannot be selected by is a 400 BadRequest naming the field', async () => {
    const target = t()
    const refused = await failure(list(target, { fieldSelector: 'spec.entrypoint=main' }))
    expect(refused.code).toBe(400)
    expect(refused.body).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: 'field label not supported: spec.entrypoint',
    })
  })

  test('limit/continue hands out every object exactly once, in chunks, with remainingItemCount', async () => {
    const target = t()
    const seen: string[] = []
    let next: string | undefined
    let chunks = 0
    do {
      const page = (await target.custom.listNamespacedCustomObject({
        ...templates(target),
        labelSelector: `${RUN_LABEL}=${target.prefix}`,
        limit: 2,
        _continue: next,
      })) as KubeList & { metadata: { continue?: string; remainingItemCount?: number } }
      chunks++
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...names(page, target))
      next = page.metadata.continue || undefined
      // With a label selector the server cannot count what is left: it says nothing about it.
      expect(page.metadata.remainingItemCount).toBeUndefined()
      expect(chunks).toBeLessThan(10)
    } while (next)
    expect(chunks).toBe(3)
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd', 'e'])

    const unfiltered = (await target.custom.listNamespacedCustomObject({
      ...templates(target),
      limit: 1,
    })) as KubeList & { metadata: { continue?: string; remainingItemCount?: number } }
    expect(unfiltered.items).toHaveLength(1)
    expect(unfiltered.metadata.continue).toBeTruthy()
    expect(unfiltered.metadata.remainingItemCount).toBeGreaterThanOrEqual(4)
  })

  test('a continue token that is not one is a 400 BadRequest', async () => {
    const target = t()
    const refused = await failure(
      target.custom.listNamespacedCustomObject({ ...templates(target), limit: 2, _continue: 'not-a-token' }),
    )
    expect(refused.code).toBe(400)
    expect(refused.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 })
    expect(String(refused.body.message)).toMatch(/^invalid continue token: continue key is not valid: /)
  })
})
