// GET /api/v1/openapi.json and the /docs page (Swagger UI from swagger-ui-dist's own files: no
// CDN, and no inline script, so the page works under a strict Content-Security-Policy).
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import express, { Router } from 'express'
import type { OpenApiDocument } from '../openapi.js'

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

// Only what the page needs: swagger-ui-dist's own index.html and initializer point at a demo API.
const SWAGGER_ASSETS = new Set([
  'swagger-ui.css',
  'index.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
  'favicon-16x16.png',
])

const DOCS_PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>compchem-fileprocessor API</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="./index.css">
    <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="./favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="./swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="./docs-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`

// Relative URL so the page also works behind a reverse proxy that adds a path prefix.
const DOCS_INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '../api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'BaseLayout',
  })
})
`

export interface DocsRouterDeps {
  document: OpenApiDocument
}

export function createDocsRouter(deps: DocsRouterDeps): Router {
  const router = Router({ strict: true })
  const documentJson = JSON.stringify(deps.document)

  router.get('/api/v1/openapi.json', (_req, res) => {
    // Sent pre-serialised: the document is large and never changes while the process runs.
    res.type('application/json').send(documentJson)
  })

  router.get('/docs', (_req, res) => res.redirect(301, 'docs/'))
  router.get('/docs/', (_req, res) => {
    res.type('html').send(DOCS_PAGE)
  })
  router.get('/docs/docs-initializer.js', (_req, res) => {
    res.type('text/javascript').send(DOCS_INITIALIZER)
  })
  const assets = express.static(swaggerUiDir, { index: false, fallthrough: true, maxAge: '1h' })
  router.use('/docs', (req, res, next) => {
    if (!SWAGGER_ASSETS.has(req.path.slice(1))) return next()
    return assets(req, res, next)
  })

  return router
}
