// The web component's files under /ui/: public, loadable as a module script from Invenio's origin
// (CORS and CORP), cacheable by ETag; the standalone page loads them without inline script.
import request from 'supertest'
import { startTestStack, type TestStack } from '../../helpers/stack.js'

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack({ applyTemplates: false })
}, 60_000)

afterAll(async () => {
  await stack?.close()
})

describe('/ui/compchem-workflows.js', () => {
  test('is one JavaScript module, readable from any origin, with an ETag', async () => {
    const res = await request(stack.service.app)
      .get('/ui/compchem-workflows.js')
      .set('Origin', 'https://invenio.example.org')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/javascript/)
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin')
    expect(res.headers['etag']).toMatch(/^"[A-Za-z0-9_-]+"$/)
    expect(res.headers['cache-control']).toBeDefined()
    const code = res.text
    expect(code).toContain('compchem-workflows')
    expect(code).toMatch(/sourceMappingURL=compchem-workflows\.js\.map/)
    // Self-contained: no import of another module (Lit is bundled) and nothing from a CDN.
    expect(code).not.toMatch(/\bimport\s*[^(]*?from\s*["']/)
    expect(code).not.toMatch(/https?:\/\/(cdn|unpkg|esm\.sh)/)
  })

  test('answers 304 to a matching If-None-Match', async () => {
    const first = await request(stack.service.app).get('/ui/compchem-workflows.js')
    const again = await request(stack.service.app)
      .get('/ui/compchem-workflows.js')
      .set('If-None-Match', first.headers['etag']!)
    expect(again.status).toBe(304)
  })

  test('the source map and the standalone script are served too', async () => {
    const map = await request(stack.service.app).get('/ui/compchem-workflows.js.map')
    expect(map.status).toBe(200)
    expect(map.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(map.text).sources.some((source: string) => source.includes('ui/src/'))).toBe(true)
    const standalone = await request(stack.service.app).get('/ui/standalone.js')
    expect(standalone.status).toBe(200)
    expect(standalone.headers['content-type']).toMatch(/^text\/javascript/)
  })

  test('needs no credential, unlike the API', async () => {
    const res = await request(stack.service.app).get('/ui/standalone.css')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/css/)
  })
})

describe('/ui/records/{recordId}', () => {
  test('serves the page with the element and the module, and no inline script', async () => {
    const res = await request(stack.service.app).get(`/ui/records/${stack.recordId}`)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    expect(res.text).toContain(`<compchem-workflows record-id="${stack.recordId}">`)
    expect(res.text).toContain('<script type="module" src="../standalone.js"></script>')
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
  })

  test('an id that cannot be a record is a 404 problem, never echoed as HTML', async () => {
    const res = await request(stack.service.app).get('/ui/records/%3Cscript%3E')
    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})
