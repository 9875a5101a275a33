// Errors as the real API server writes them: a Status with reason, code, message and details that
// clients match on (AlreadyExists, NotFound, Invalid, Forbidden, Unauthorized, BadRequest,
// UnsupportedMediaType), including a patch body that does not match its content type.
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node'
import {
  coordinatesOf,
  describeTargets,
  failure,
  jsonPatch,
  labelled,
  mergePatch,
  rawRequest,
  type KubeObject,
  type Target,
} from './target.js'

function template(target: Target, name: string): KubeObject {
  return labelled(target, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name },
    spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: {} }] },
  })
}

describeTargets('Kubernetes Status errors', (t) => {
  const templates = (target: Target) => coordinatesOf(target, 'workflowtemplates')
  const templatesPath = (target: Target) =>
    `/apis/argoproj.io/v1alpha1/namespaces/${target.namespace}/workflowtemplates`

  test('creating a name twice is 409 AlreadyExists', async () => {
    const target = t()
    const name = `${target.prefix}-twice`
    await target.custom.createNamespacedCustomObject({ ...templates(target), body: template(target, name) })
    const refused = await failure(
      target.custom.createNamespacedCustomObject({ ...templates(target), body: template(target, name) }),
    )
    expect(refused.code).toBe(409)
    expect(refused.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `workflowtemplates.argoproj.io "${name}" already exists`,
      reason: 'AlreadyExists',
      details: { name, group: 'argoproj.io', kind: 'workflowtemplates' },
      code: 409,
    })
  })

  test('reading, patching or deleting what is not there is 404 NotFound', async () => {
    const target = t()
    const name = `${target.prefix}-nowhere`
    const expected = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `workflowtemplates.argoproj.io "${name}" not found`,
      reason: 'NotFound',
      details: { name, group: 'argoproj.io', kind: 'workflowtemplates' },
      code: 404,
    }
    const calls = [
      () => target.custom.getNamespacedCustomObject({ ...templates(target), name }),
      () =>
        target.custom.patchNamespacedCustomObject(
          { ...templates(target), name, body: { metadata: { labels: { a: 'b' } } } },
          mergePatch(),
        ),
      () => target.custom.deleteNamespacedCustomObject({ ...templates(target), name }),
    ]
    for (const call of calls) expect(await failure(call())).toEqual({ code: 404, body: expected })
  })

  test('an invalid name is 422 Invalid with the field and the DNS-1123 rule', async () => {
    const target = t()
    const name = `${target.prefix}_Bad`
    const refused = await failure(
      target.custom.createNamespacedCustomObject({ ...templates(target), body: template(target, name) }),
    )
    expect(refused.code).toBe(422)
    expect(refused.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      details: {
        name,
        group: 'argoproj.io',
        kind: 'WorkflowTemplate',
        causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }],
      },
    })
    expect(String(refused.body.message)).toMatch(
      new RegExp(
        `^WorkflowTemplate.argoproj.io "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of`,
      ),
    )
  })

  test('a body whose kind does not match the URL is 422 Invalid on the kind field', async () => {
    const target = t()
    const name = `${target.prefix}-kind`
    const body = { ...template(target, name), kind: 'Workflow' }
    const refused = await failure(target.custom.createNamespacedCustomObject({ ...templates(target), body }))
    const detail = 'Invalid value: "Workflow": must be WorkflowTemplate'
    expect(refused).toEqual({
      code: 422,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Workflow.argoproj.io "${name}" is invalid: kind: ${detail}`,
        reason: 'Invalid',
        details: {
          name,
          group: 'argoproj.io',
          kind: 'Workflow',
          causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'kind' }],
        },
        code: 422,
      },
    })
  })

  test('a merge-patch content type with a JSON-patch body, and the reverse, are refused', async () => {
    const target = t()
    const name = `${target.prefix}-mismatch`
    await target.custom.createNamespacedCustomObject({ ...templates(target), body: template(target, name) })
    const operations = [{ op: 'replace', path: '/metadata/labels/tier', value: 'x' }]
    const asMerge = await failure(
      target.custom.patchNamespacedCustomObject(
        { ...templates(target), name, body: operations },
        mergePatch(),
      ),
    )
    expect(asMerge.body).toMatchObject({ kind: 'Status', status: 'Failure' })
    expect([400, 422]).toContain(asMerge.code)
    const asJsonPatch = await failure(
      target.custom.patchNamespacedCustomObject(
        { ...templates(target), name, body: { metadata: { labels: { tier: 'x' } } } },
        jsonPatch(),
      ),
    )
    expect(asJsonPatch.body).toMatchObject({ kind: 'Status', status: 'Failure' })
    expect([400, 422]).toContain(asJsonPatch.code)
    const unchanged = (await target.custom.getNamespacedCustomObject({
      ...templates(target),
      name,
    })) as KubeObject
    expect(unchanged.metadata.labels?.tier).toBeUndefined()
  })

  test('a strategic merge patch on a custom resource is 415 UnsupportedMediaType', async () => {
    const target = t()
    const name = `${target.prefix}-strategic`
    await target.custom.createNamespacedCustomObject({ ...templates(target), body: template(target, name) })
    const response = await rawRequest(target.kc, 'PATCH', `${templatesPath(target)}/${name}`, {
      body: JSON.stringify({ metadata: { labels: { tier: 'x' } } }),
      contentType: 'application/strategic-merge-patch+json',
    })
    expect(response.status).toBe(415)
    expect(response.json()).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      code: 415,
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    })
  })

  test("the chart's Role may create workflows but not delete them: 403 Forbidden with the authorizer's words", async () => {
    const target = t()
    if (!target.serviceKc) {
      console.log('RBAC case: no CONTRACT_SERVICE_KUBECONFIG for this cluster: SKIPPED')
      return
    }
    const service = target.serviceKc.makeApiClient(CustomObjectsApi)
    const workflows = coordinatesOf(target, 'workflows')
    const name = `${target.prefix}-rbac`
    await service.createNamespacedCustomObject({
      ...workflows,
      body: labelled(target, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name },
        spec: { entrypoint: 'main', suspend: true, templates: [{ name: 'main', suspend: {} }] },
      }),
    })
    const refused = await failure(service.deleteNamespacedCustomObject({ ...workflows, name }))
    expect(refused).toEqual({
      code: 403,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `workflows.argoproj.io "${name}" is forbidden: User "fileprocessor" cannot delete resource "workflows" in API group "argoproj.io" in the namespace "${target.namespace}"`,
        reason: 'Forbidden',
        details: { name, group: 'argoproj.io', kind: 'workflows' },
        code: 403,
      },
    })
    const listing = await failure(service.listNamespacedCustomObject(templates(target)))
    expect(listing.body).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message: `workflowtemplates.argoproj.io is forbidden: User "fileprocessor" cannot list resource "workflowtemplates" in API group "argoproj.io" in the namespace "${target.namespace}"`,
      details: { group: 'argoproj.io', kind: 'workflowtemplates' },
    })
  })

  test('an unknown bearer token is 401 Unauthorized', async () => {
    const target = t()
    const stranger = new KubeConfig()
    stranger.loadFromString(target.kc.exportConfig())
    const user = stranger.getCurrentUser()!
    stranger.users = [{ ...user, token: 'not-a-known-token' }]
    const refused = await rawRequest(stranger, 'GET', templatesPath(target))
    expect({ code: refused.status, body: refused.json() }).toEqual({
      code: 401,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      },
    })
  })
})
