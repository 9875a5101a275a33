import request from 'supertest'
import { createApp } from '../../../src/http/app.js'
import { createLogger } from '../../../src/log.js'
import { TEST_PATHS } from './helpers.js'

// The product app, without test-only paths: what /docs and /api/v1/openapi.json really publish.
const app = createApp({
  logger: createLogger({ level: 'silent' }),
  bodyLimit: '100kb',
  healthChecks: [],
  validateResponses: true,
  version: '1.2.3',
})

describe('/api/v1/openapi.json', () => {
  test('serves the OpenAPI 3.1 document as JSON with the health and meta paths', async () => {
    const res = await request(app).get('/api/v1/openapi.json')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    const document = JSON.parse(res.text)
    expect(document.openapi).toMatch(/^3\.1\.\d+$/)
    expect(document.info).toMatchObject({ title: 'compchem-fileprocessor', version: '1.2.3' })
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/health/liveness',
        '/api/v1/health/readiness',
        '/api/v1/health',
        '/api/v1/openapi.json',
      ]),
    )
    expect(document.components.schemas.Problem.required).toEqual(['type', 'title', 'status'])
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  test('publishes no test-only path', async () => {
    const res = await request(app).get('/api/v1/openapi.json')
    for (const path of Object.keys(TEST_PATHS)) expect(res.body.paths[path]).toBeUndefined()
  })
})

describe('/docs', () => {
  test('/docs redirects to /docs/ so the page can use relative asset URLs', async () => {
    const res = await request(app).get('/docs')
    expect(res.status).toBe(301)
    expect(res.headers['location']).toBe('docs/')
  })

  test('renders an HTML page whose assets are all local and load', async () => {
    const page = await request(app).get('/docs/')
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.text).toContain('id="swagger-ui"')
    expect(page.text).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+/i)
    expect(page.text).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/)

    const assetUrls = [...page.text.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((match) => match[1])
    expect(assetUrls).toEqual(
      expect.arrayContaining([
        'swagger-ui.css',
        'swagger-ui-bundle.js',
        'swagger-ui-standalone-preset.js',
        'docs-initializer.js',
      ]),
    )
    for (const asset of assetUrls) {
      const res = await request(app).get(`/docs/${asset}`)
      expect({ asset, status: res.status }).toEqual({ asset, status: 200 })
      expect(res.headers['content-type']).toMatch(/css|javascript|png/)
    }
  })

  test('the initializer loads the document from this service', async () => {
    const res = await request(app).get('/docs/docs-initializer.js')
    expect(res.text).toContain("url: '../api/v1/openapi.json'")
    expect(res.text).not.toMatch(/https?:\/\//)
  })

  test('the Content-Security-Policy allows only this origin for scripts and connections', async () => {
    const res = await request(app).get('/docs/')
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).not.toMatch(/https?:|unsafe-eval/)
  })

  test("swagger-ui-dist's own demo page and initializer are not served", async () => {
    expect((await request(app).get('/docs/index.html')).status).toBe(404)
    expect((await request(app).get('/docs/swagger-initializer.js')).status).toBe(404)
  })
})
