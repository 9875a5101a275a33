// The product has no POST route yet (those come with the workflow issues), and the skeleton must be
// testable on its own: test-only operations are merged into a copy of the real document and mounted
// through createApp's `mount`, so the served product document never mentions them.
import type { Router } from 'express'
import { createApp, type AppOptions } from '../../../src/http/app.js'
import type { HealthCheck } from '../../../src/http/health.js'
import { loadOpenApiDocument, withExtraPaths } from '../../../src/http/openapi.js'
import { serviceUnavailable } from '../../../src/http/problem.js'
import { createLogger } from '../../../src/log.js'

export interface LogLine {
  level: string
  msg?: string
  [key: string]: unknown
}

export function captureLogs() {
  const lines: LogLine[] = []
  const raw: string[] = []
  const logger = createLogger({
    level: 'debug',
    name: 'test',
    destination: {
      write(chunk: string) {
        raw.push(chunk)
        lines.push(JSON.parse(chunk) as LogLine)
      },
    },
  })
  return { logger, lines, text: () => raw.join('') }
}

const problemResponses = {
  '400': { $ref: '#/components/responses/BadRequest' },
  '413': { $ref: '#/components/responses/PayloadTooLarge' },
  '415': { $ref: '#/components/responses/UnsupportedMediaType' },
}

export const TEST_PATHS = {
  '/api/v1/test/echo': {
    post: {
      operationId: 'testEcho',
      security: [],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/TestEcho' } } },
      },
      responses: {
        '200': {
          description: 'echo',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/TestEcho' } } },
        },
        ...problemResponses,
      },
    },
  },
  '/api/v1/test/protected': {
    get: {
      operationId: 'testProtected',
      responses: {
        '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } },
        '401': { $ref: '#/components/responses/Unauthorized' },
      },
    },
  },
  '/api/v1/test/boom': {
    get: {
      operationId: 'testBoom',
      security: [],
      responses: { '500': { $ref: '#/components/responses/InternalError' } },
    },
  },
  '/api/v1/test/unavailable': {
    get: {
      operationId: 'testUnavailable',
      security: [],
      responses: { '503': { $ref: '#/components/responses/ServiceUnavailable' } },
    },
  },
  '/api/v1/test/wrong-response': {
    get: {
      operationId: 'testWrongResponse',
      security: [],
      responses: {
        '200': {
          description: 'ok',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/TestEcho' } } },
        },
      },
    },
  },
}

const TEST_SCHEMAS = {
  TestEcho: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1 }, count: { type: 'integer', minimum: 0 } },
    additionalProperties: false,
  },
}

export const SECRET_IN_ERROR = 'internal-detail-that-must-not-leak'

function mountTestRoutes(router: Router): void {
  router.post('/api/v1/test/echo', (req, res) => {
    res.json(req.body)
  })
  router.get('/api/v1/test/protected', (_req, res) => {
    res.json({ ok: true })
  })
  router.get('/api/v1/test/boom', async () => {
    throw new Error(SECRET_IN_ERROR)
  })
  router.get('/api/v1/test/unavailable', () => {
    throw serviceUnavailable('Invenio did not answer in time.', 7)
  })
  router.get('/api/v1/test/wrong-response', (_req, res) => {
    res.json({ name: 42 })
  })
}

export const BODY_LIMIT = 1024

export function createTestApp(healthChecks: HealthCheck[] = [], overrides: Partial<AppOptions> = {}) {
  const logs = captureLogs()
  const app = createApp({
    logger: logs.logger,
    bodyLimit: BODY_LIMIT,
    healthChecks,
    validateResponses: true,
    version: '9.9.9-test',
    openapi: withExtraPaths(loadOpenApiDocument(), TEST_PATHS, TEST_SCHEMAS),
    mount: mountTestRoutes,
    ...overrides,
  })
  return { app, logs }
}

export const PROBLEM_BASE = 'https://compchem.cz/problems/'
