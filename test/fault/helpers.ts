// Shared parts of the fault suite: the stack on a real PostgreSQL with a webhook receiver, a
// readiness prober that runs while a fault lasts, and the checks every scenario ends with.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { isTerminal, phaseOf, type Workflow } from '../../src/argo/index.js'
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, OUTCOME_FINALIZER } from '../../src/argo/labels.js'
import { notificationIdFor } from '../../src/processing/notify-outbox.js'
import type { Service } from '../../src/service.js'
import {
  createStackService,
  startTestStack,
  type TestStack,
  type TestStackOptions,
} from '../helpers/stack.js'

export const REAL_POSTGRES = Boolean(process.env.DATABASE_URL)

/** `describe` on a real PostgreSQL, or a skipped one that says why. */
export function describeOnPostgres(name: string, body: () => void): void {
  if (REAL_POSTGRES) return describe(name, body)
  console.log(`fault suite: "${name}" skipped: DATABASE_URL is unset (it needs a real PostgreSQL)`)
  describe.skip(name, body)
}

/** Settings every fault stack uses: fast grace period, no rate limits in the way, notifications on. */
export function faultEnv(webhookUrl: string): Record<string, string> {
  return {
    PENDING_GRACE_SECONDS: '2',
    RATE_LIMIT_START_PER_MINUTE: '100000',
    RATE_LIMIT_START_BURST: '100000',
    RATE_LIMIT_ACTION_PER_MINUTE: '100000',
    RATE_LIMIT_ACTION_BURST: '100000',
    NOTIFY_WEBHOOK_URLS: webhookUrl,
  }
}

export interface WebhookReceiver {
  url: string
  /** Deliveries received, by notification id. */
  counts: Map<string, number>
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const counts = new Map<string, number>()
  const server: Server = createServer((req: IncomingMessage, res) => {
    const id = String(req.headers['x-compchem-notification-id'] ?? '')
    req.resume()
    req.on('end', () => {
      counts.set(id, (counts.get(id) ?? 0) + 1)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/run-completed`,
    counts,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export interface FaultStack extends TestStack {
  receiver: WebhookReceiver
  /** Every replica serving this stack (the first is stack.service). */
  replicas: Service[]
  addReplica(env?: Record<string, string>): Promise<Service>
  /** Shuts one replica down (as a pod going away) and drops it from `replicas`. */
  closeReplica(service: Service): Promise<void>
}

export async function startFaultStack(
  options: TestStackOptions & { replicas?: number } = {},
): Promise<FaultStack> {
  const receiver = await startWebhookReceiver()
  const env = { ...faultEnv(receiver.url), ...options.env }
  const stack = await startTestStack({ cluster: { speed: 20, stepSeconds: 1 }, ...options, env })
  const replicas: Service[] = [stack.service]
  const addReplica = async (extra: Record<string, string> = {}) => {
    const service = await createStackService({ ...stack, env: { ...env, ...extra } })
    replicas.push(service)
    return service
  }
  for (let index = 1; index < (options.replicas ?? 1); index++) await addReplica()
  await Promise.all(replicas.map((service) => service.context.informer.whenSynced()))
  return {
    ...stack,
    receiver,
    replicas,
    addReplica,
    closeReplica: async (service) => {
      replicas.splice(replicas.indexOf(service), 1)
      await service.close()
    },
    close: async () => {
      for (const service of replicas.reverse()) await service.close()
      await stack.db.close()
      await stack.invenio.close()
      await stack.cluster.close()
      await receiver.close()
    },
  }
}

/** Asks readiness (and full health) over and over until stopped; keeps every answer. */
export class HealthProber {
  readonly readiness: Array<{ status: number; failing: string[] }> = []
  readonly health: Array<{ status: number; down: string[] }> = []
  private running = true
  private readonly loop: Promise<void>

  constructor(
    private readonly service: Service,
    intervalMs = 25,
  ) {
    this.loop = this.run(intervalMs)
  }

  private async run(intervalMs: number): Promise<void> {
    while (this.running) {
      const [ready, health] = await Promise.all([
        request(this.service.app).get('/api/v1/health/readiness'),
        request(this.service.app).get('/api/v1/health'),
      ])
      this.readiness.push({ status: ready.status, failing: namesDown(ready.body) })
      this.health.push({ status: health.status, down: namesDown(health.body) })
      await sleep(intervalMs)
    }
  }

  async stop(): Promise<this> {
    this.running = false
    await this.loop
    return this
  }

  /** Names of the checks some answer reported down. */
  reportedDown(): Set<string> {
    return new Set([...this.readiness.flatMap((r) => r.failing), ...this.health.flatMap((h) => h.down)])
  }
}

function namesDown(body: unknown): string[] {
  const checks = (body as { checks?: Array<{ name: string; state: string }> })?.checks ?? []
  return checks.filter((check) => check.state === 'down').map((check) => check.name)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${what}`)
    await sleep(100)
  }
}

export const startPath = (recordId: string) => `/api/v1/records/${encodeURIComponent(recordId)}/workflows`

/** A record of alice's with `count` single-run files for the xyz-structure type. */
export function addXyzRecord(
  stack: TestStack,
  count: number,
  prefix = 'molecule',
): { id: string; keys: string[] } {
  const keys = Array.from({ length: count }, (_, index) => `structures/${prefix}-${index}.xyz`)
  const record = stack.invenio.addRecord({
    owner: 'alice',
    files: keys.map((key) => ({ key, content: '3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n' })),
  })
  return { id: record.id, keys }
}

export function startOne(service: Service, token: string, recordId: string, key: string) {
  return request(service.app)
    .post(startPath(recordId))
    .set('Authorization', `Bearer ${token}`)
    .send({ type: 'xyz-structure', files: [key] })
}

/** The service's Workflows as the API server holds them. */
export function serverWorkflows(stack: TestStack): Workflow[] {
  return stack.cluster.store
    .list('workflows', 'default')
    .map((object) => object as unknown as Workflow)
    .filter((workflow) => workflow.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE)
}

const versionsOf = (workflows: Workflow[]) =>
  workflows
    .map((workflow) => `${workflow.metadata.name}@${workflow.metadata.resourceVersion}`)
    .sort()
    .join('\n')

/** Waits until every replica's informer holds exactly the server's objects, at the server's versions. */
export async function expectCachesEqualServer(stack: FaultStack): Promise<void> {
  for (const service of stack.replicas)
    await eventually('informer cache equal to the server list', () => {
      return versionsOf(service.context.informer.list()) === versionsOf(serverWorkflows(stack))
    })
}

/**
 * Waits until every run has ended and is accounted for, then checks what no fault may break:
 * names and seqs unique, every Workflow known to the database, one outcome per ended Workflow
 * attempt with the finalizer gone, a run the cluster never got ended by an Error outcome, and
 * exactly one webhook delivery per recorded (run, attempt).
 */
export async function expectNothingLost(stack: FaultStack): Promise<{ runs: number; outcomes: number }> {
  const prisma = stack.db.db.prisma
  await eventually('every Workflow ended, its outcome kept and its finalizer released', () =>
    serverWorkflows(stack).every(
      (workflow) =>
        isTerminal(phaseOf(workflow)) && !workflow.metadata.finalizers?.includes(OUTCOME_FINALIZER),
    ),
  )
  const runs = await prisma.compchemWorkflow.findMany({ include: { outcomes: true } })
  const names = runs.map((run) => run.name)
  expect(new Set(names).size).toBe(names.length)
  expect(new Set(runs.map((run) => `${run.recordId}#${run.seq}`)).size).toBe(runs.length)
  const inCluster = new Map(serverWorkflows(stack).map((workflow) => [workflow.metadata.name!, workflow]))
  for (const name of inCluster.keys()) expect(names).toContain(name)
  const expectedNotifications: string[] = []
  for (const run of runs) {
    const workflow = inCluster.get(run.name)
    if (!workflow) {
      // Never created: the failed start must have released its files with an Error outcome.
      expect({ run: run.name, phases: run.outcomes.map((o) => o.phase) }).toEqual({
        run: run.name,
        phases: ['Error'],
      })
      continue
    }
    expect({ run: run.name, outcomes: run.outcomes.length }).toEqual({ run: run.name, outcomes: 1 })
    expect(run.outcomes[0]!.phase).toBe(phaseOf(workflow))
    expectedNotifications.push(notificationIdFor(run.name, run.outcomes[0]!.attempt))
  }
  await eventually('one webhook delivery per recorded outcome', () =>
    expectedNotifications.every((id) => stack.receiver.counts.has(id)),
  )
  for (const service of stack.replicas) await service.context.db.prisma.$queryRaw`SELECT 1`
  const duplicates = [...stack.receiver.counts].filter(([, count]) => count > 1)
  expect(duplicates).toEqual([])
  expect([...stack.receiver.counts.keys()].sort()).toEqual([...expectedNotifications].sort())
  return { runs: runs.length, outcomes: expectedNotifications.length }
}
