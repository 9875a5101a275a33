// A test stack for automatic processing: like test/helpers/stack.ts, but the fake Invenio can post its
// signed webhook to the service. The webhook URL must be known before the service exists, so a
// front server listens first (port 0) and hands requests to the service's app once it is built.
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { isTerminal, phaseOf } from '../../../src/argo/index.js'
import { signWebhook } from '../../../src/auth/webhook-signature.js'
import { automaticOf } from '../../../src/processing/automatic-service.js'
import type { Service } from '../../../src/service.js'
import {
  startSandboxCluster,
  type SandboxCluster,
  type SandboxClusterOptions,
} from '../../../src/sandbox/cluster.js'
import { seedSampleData, startFakeInvenio, type FakeInvenio } from '../../../src/sandbox/invenio/index.js'
import { applyWorkflowTemplates } from '../../../src/sandbox/templates.js'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js'
import { createStackService } from '../../helpers/stack.js'

export const SERVICE_TOKEN = 'automatic-test-service-token'
export const WEBHOOK_SECRET = 'automatic-test-webhook-secret'
export const EVENTS_PATH = '/api/v1/events/invenio'

export interface AutomaticStack {
  cluster: SandboxCluster
  invenio: FakeInvenio
  db: TestDatabase
  service: Service
  tokens: { alice: string; bob: string }
  /** Alice's sample record (water-dimer.log, md/topol.tpr, notes.txt), seeded before any webhook. */
  recordId: string
  /** Alice's empty record. */
  emptyRecordId: string
  close(): Promise<void>
}

export interface AutomaticStackOptions {
  cluster?: SandboxClusterOptions
  env?: Record<string, string>
  /** Let the fake Invenio post its webhook to the service (default false: tests send events). */
  webhook?: boolean
}

export async function startAutomaticStack(options: AutomaticStackOptions = {}): Promise<AutomaticStack> {
  const cluster = await startSandboxCluster({ speed: 20, stepSeconds: 1, ...options.cluster })
  const target: { handler?: RequestListener } = {}
  const front = createServer((req, res) => {
    if (target.handler) target.handler(req, res)
    else res.writeHead(503).end()
  })
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
  const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`
  const invenio = await startFakeInvenio({
    serviceToken: SERVICE_TOKEN,
    ...(options.webhook ? { webhook: { url: frontUrl + EVENTS_PATH, secret: WEBHOOK_SECRET } } : {}),
  })
  const sample = seedSampleData(invenio)
  const db = await createTestDatabase()
  await applyWorkflowTemplates(cluster.store, 'default')
  const service = await createStackService({
    cluster,
    invenio,
    db,
    argoServer: false,
    serviceToken: SERVICE_TOKEN,
    env: { INVENIO_WEBHOOK_SECRETS: WEBHOOK_SECRET, ...options.env },
  })
  target.handler = service.app
  // The queue's first pass (started with the service) must be over before tests begin.
  await automaticOf(service.context).queue.idle()
  const token = (name: string) => sample.users.find((user) => user.name === name)!.token
  return {
    cluster,
    invenio,
    db,
    service,
    tokens: { alice: token('alice'), bob: token('bob') },
    recordId: sample.records[0]!.id,
    emptyRecordId: sample.records[1]!.id,
    close: async () => {
      await invenio.close()
      await service.close()
      await new Promise<void>((resolve) => front.close(() => resolve()))
      await db.close()
      await cluster.close()
    },
  }
}

/** Deletes a draft file through the fake Invenio's REST API (sends file.deleted when webhooks are on). */
export async function deleteFile(stack: AutomaticStack, recordId: string, key: string): Promise<void> {
  const url = `${stack.invenio.url}/api/${stack.invenio.modelPrefix}/${recordId}/draft/files/${encodeURIComponent(key)}`
  const response = await fetch(url, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${stack.tokens.alice}` },
  })
  if (response.status !== 204) throw new Error(`delete ${key}: ${response.status}`)
}

export interface EventBody {
  type: 'file.committed' | 'file.deleted'
  recordId: string
  key: string
  checksum?: string | null
  mimetype?: string
  size?: number | null
  generatedByService?: boolean
}

/** Posts a signed event (secret and timestamp overridable, for the refusals). */
export function postEvent(
  stack: AutomaticStack,
  event: EventBody,
  sign: { secret?: string; timestamp?: number; signature?: string } = {},
) {
  const body = JSON.stringify(event)
  const timestamp = String(sign.timestamp ?? Math.floor(Date.now() / 1000))
  return request(stack.service.app)
    .post(EVENTS_PATH)
    .set('Content-Type', 'application/json')
    .set('X-Compchem-Timestamp', timestamp)
    .set(
      'X-Compchem-Signature',
      sign.signature ?? signWebhook(sign.secret ?? WEBHOOK_SECRET, timestamp, body),
    )
    .send(body)
}

/** The committed event for a file as the fake Invenio stores it. */
export function committed(stack: AutomaticStack, recordId: string, key: string): EventBody {
  const file = stack.invenio.getFile(recordId, key)
  if (!file) throw new Error(`no file ${key}`)
  return {
    type: 'file.committed',
    recordId,
    key,
    checksum: file.checksum,
    mimetype: file.mimetype,
    size: file.size,
  }
}

/** The record's runs in the database (name, type, created_by), oldest first. */
export async function runsOf(stack: AutomaticStack, recordId: string) {
  return stack.service.context.db.prisma.compchemWorkflow.findMany({
    where: { recordId },
    orderBy: { seq: 'asc' },
    select: { name: true, workflowType: true, createdBy: true, templateDigest: true, seq: true },
  })
}

export async function queueIdle(stack: AutomaticStack): Promise<void> {
  await automaticOf(stack.service.context).queue.idle()
}

/** Polls until `check` resolves true (bounded; not a timing assertion). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export function isEnded(stack: AutomaticStack, name: string): boolean {
  const workflow = stack.service.context.informer.get(name)
  return Boolean(workflow && isTerminal(phaseOf(workflow)))
}
