// With Argo's full CRDs installed the API server validates and prunes: a type error is 422 Invalid with
// the field path, an unknown field is dropped with a Warning header, or refused under
// fieldValidation=Strict. The sandbox takes the schemas from the reference data; a real cluster must have
// the full CRDs installed (scripts/real-apiserver.sh swaps them in and sets CONTRACT_CRDS=full).
import {
  coordinatesOf,
  describeTargets,
  failure,
  labelled,
  rawRequest,
  type KubeObject,
  type Target,
} from './target.js'

function workflow(target: Target, name: string, spec: Record<string, unknown> = {}): KubeObject {
  return labelled(target, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: `${target.prefix}-${name}` },
    spec: {
      entrypoint: 'main',
      suspend: true,
      templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }],
      ...spec,
    },
  })
}

describeTargets(
  'Argo full CRD schemas',
  (t) => {
    const workflowsPath = (target: Target, query = '') =>
      `/apis/argoproj.io/v1alpha1/namespaces/${target.namespace}/workflows${query}`

    test('a type error is refused with 422 Invalid naming the field path', async () => {
      const target = t()
      const body = workflow(target, 'typed', { entrypoint: 5 })
      const name = body.metadata.name!
      const refused = await failure(
        target.custom.createNamespacedCustomObject({ ...coordinatesOf(target, 'workflows'), body }),
      )
      const detail = 'Invalid value: "integer": spec.entrypoint in body must be of type string: "integer"'
      // Argo's full CRDs carry CEL rules: the server skips them on an invalid object and says so.
      const celSkipped =
        'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'
      expect(refused).toEqual({
        code: 422,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `Workflow.argoproj.io "${name}" is invalid: [spec.entrypoint: ${detail}, <nil>: ${celSkipped}]`,
          reason: 'Invalid',
          details: {
            name,
            group: 'argoproj.io',
            kind: 'Workflow',
            causes: [
              { reason: 'FieldValueTypeInvalid', message: detail, field: 'spec.entrypoint' },
              { reason: 'FieldValueInvalid', message: celSkipped, field: '<nil>' },
            ],
          },
          code: 422,
        },
      })
    })

    test('an unknown field is dropped with a Warning header, and fieldValidation=Ignore says nothing', async () => {
      const target = t()
      const body = workflow(target, 'unknown', { notAField: 1 })
      const warned = await rawRequest(target.kc, 'POST', workflowsPath(target), {
        body: JSON.stringify(body),
        contentType: 'application/json',
      })
      expect(warned.status).toBe(201)
      expect(warned.headers.warning).toBe('299 - "unknown field \\"spec.notAField\\""')
      expect((warned.json().spec as Record<string, unknown>).notAField).toBeUndefined()

      const quiet = workflow(target, 'ignored', { notAField: 1 })
      const ignored = await rawRequest(target.kc, 'POST', workflowsPath(target, '?fieldValidation=Ignore'), {
        body: JSON.stringify(quiet),
        contentType: 'application/json',
      })
      expect(ignored.status).toBe(201)
      expect(ignored.headers.warning).toBeUndefined()
    })

    test('under fieldValidation=Strict an unknown field is refused with 400 BadRequest', async () => {
      const target = t()
      const body = workflow(target, 'strict', { notAField: 1 })
      const refused = await rawRequest(target.kc, 'POST', workflowsPath(target, '?fieldValidation=Strict'), {
        body: JSON.stringify(body),
        contentType: 'application/json',
      })
      expect(refused.status).toBe(400)
      expect(refused.json()).toMatchObject({
        kind: 'Status',
        reason: 'BadRequest',
        code: 400,
        message:
          'Workflow in version "v1alpha1" cannot be handled as a Workflow: strict decoding error: unknown field "spec.notAField"',
      })
      const missing = await failure(
        target.custom.getNamespacedCustomObject({
          ...coordinatesOf(target, 'workflows'),
          name: body.metadata.name!,
        }),
      )
      expect(missing.code).toBe(404)
    })

    test('dryRun=All validates as a create would and stores nothing', async () => {
      const target = t()
      const body = workflow(target, 'dry-typed', { entrypoint: ['main'] })
      const refused = await failure(
        target.custom.createNamespacedCustomObject({
          ...coordinatesOf(target, 'workflows'),
          body,
          dryRun: 'All',
        }),
      )
      expect(refused.code).toBe(422)
      expect(refused.body).toMatchObject({
        reason: 'Invalid',
        details: {
          causes: [{ field: 'spec.entrypoint', reason: 'FieldValueTypeInvalid' }, { field: '<nil>' }],
        },
      })
    })
  },
  { fullSchema: true },
)
