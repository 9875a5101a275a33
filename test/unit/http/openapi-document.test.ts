// Conventions every path added to openapi.yaml must follow, so later endpoints cannot drift from them.
import { loadOpenApiDocument, withExtraPaths, type OpenApiDocument } from '../../../src/http/openapi.js'

type Json = Record<string, unknown>
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']
const PUBLIC_PATHS = [
  '/api/v1/health/liveness',
  '/api/v1/health/readiness',
  '/api/v1/health',
  '/api/v1/openapi.json',
  '/metrics',
]
// Prometheus scrapes /metrics by convention; every other path is versioned.
const UNVERSIONED_PATHS = ['/metrics']

const document = loadOpenApiDocument()

function resolve(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true)
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (node, key) => (node as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
      document,
    )
}

function deref<T>(node: T | { $ref: string }): T {
  return (node && typeof node === 'object' && '$ref' in node ? resolve(node.$ref) : node) as T
}

function operations(doc: OpenApiDocument) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => method in item).map((method) => ({
      path,
      method,
      operation: item[method] as Json,
    })),
  )
}

test('is OpenAPI 3.1 with API paths under /api/v1', () => {
  expect(document.openapi).toMatch(/^3\.1\.\d+$/)
  for (const path of Object.keys(document.paths)) {
    if (!UNVERSIONED_PATHS.includes(path)) expect(path).toMatch(/^\/api\/v1\//)
  }
})

test('every $ref resolves', () => {
  const refs: string[] = []
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') refs.push(value)
        else walk(value)
      }
    }
  }
  walk(document)
  expect(refs.length).toBeGreaterThan(10)
  for (const ref of refs)
    expect({ ref, resolved: resolve(ref) !== undefined }).toEqual({ ref, resolved: true })
})

test('every operation has a unique operationId, a tag and a summary', () => {
  const ids = operations(document).map(({ operation }) => operation.operationId)
  expect(new Set(ids).size).toBe(ids.length)
  for (const { path, method, operation } of operations(document)) {
    expect({ path, method, ok: typeof operation.operationId === 'string' }).toEqual({
      path,
      method,
      ok: true,
    })
    expect((operation.tags as string[] | undefined)?.length ?? 0).toBeGreaterThan(0)
    expect(typeof operation.summary).toBe('string')
  }
})

test('every success response has an example and every error response is a Problem', () => {
  for (const { path, method, operation } of operations(document)) {
    for (const [status, response] of Object.entries(operation.responses as Json)) {
      const where = `${method.toUpperCase()} ${path} ${status}`
      const content = deref(response as Json).content as Record<string, Json> | undefined
      if (status.startsWith('2') && content) {
        for (const media of Object.values(content)) {
          expect({ where, hasExample: 'example' in media || 'examples' in media }).toEqual({
            where,
            hasExample: true,
          })
        }
      }
      if (/^[45]/.test(status)) {
        const problem = content?.['application/problem+json']?.schema as Json | undefined
        expect({ where, schema: problem?.$ref }).toEqual({ where, schema: '#/components/schemas/Problem' })
      }
    }
  }
})

test('only the public endpoints opt out of authentication', () => {
  expect(document.security).toEqual([{ bearer: [] }])
  const open = operations(document)
    .filter(
      ({ operation }) => Array.isArray(operation.security) && (operation.security as unknown[]).length === 0,
    )
    .map(({ path }) => path)
  expect(open.sort()).toEqual([...PUBLIC_PATHS].sort())
})

test('responses that tell the caller to wait declare Retry-After', () => {
  const responses = document.components?.responses as Record<string, Json>
  for (const name of ['TooManyRequests', 'ServiceUnavailable', 'NotReady', 'Unhealthy']) {
    expect((responses[name]?.headers as Json)['Retry-After']).toBeDefined()
  }
  expect((responses.MethodNotAllowed?.headers as Json).Allow).toBeDefined()
})

test('withExtraPaths adds to a copy and refuses to replace a product path', () => {
  const extra = { '/api/v1/test/x': { get: { responses: {} } } }
  const merged = withExtraPaths(document, extra, { X: { type: 'object' } })
  expect(merged.paths['/api/v1/test/x']).toBeDefined()
  expect(document.paths['/api/v1/test/x']).toBeUndefined()
  expect(() => withExtraPaths(document, { '/api/v1/health': {} })).toThrow(/already has/)
})

test('loadOpenApiDocument hands out independent copies', () => {
  const first = loadOpenApiDocument()
  first.info.version = 'changed'
  expect(loadOpenApiDocument().info.version).not.toBe('changed')
})
