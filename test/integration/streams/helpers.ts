// Runs for stream and outcome tests, made the way the service makes them (a run row, then a Workflow
// carrying the service's labels, annotations and finalizer), with a sandbox behaviour so each test
// decides how long steps take, what they log and what they report.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import {
  FILES_ANNOTATION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  OUTCOME_FINALIZER,
  RECORD_ID_LABEL,
  SEQ_LABEL,
  WORKFLOW_TYPE_LABEL,
  type Workflow,
} from '../../../src/argo/index.js'
import { insertRun } from '../../../src/db/index.js'
import type { Service } from '../../../src/service.js'

export interface StepBehaviour {
  seconds?: number
  logLines?: string[]
  result?: { status: string; message?: string; files?: Record<string, string> }
  exitCode?: number
}

let counter = 0

/** Inserts a run row and creates its Workflow with steps `first` → `second`. */
export async function startTestRun(
  service: Service,
  recordId: string,
  options: { steps?: Record<string, StepBehaviour>; ttlSecondsAfterCompletion?: number; file?: string } = {},
): Promise<string> {
  const seq = 1000 + ++counter + Math.floor(Math.random() * 1_000_000)
  const name = `streamtest-${recordId}-${seq}`.toLowerCase()
  const file = options.file ?? 'water-dimer.log'
  await insertRun(service.context.db.prisma, {
    recordId,
    workflowType: 'streamtest',
    seq,
    name,
    createdBy: '1',
    files: [{ key: file, mimetype: 'application/octet-stream', checksum: `md5:${name}` }],
  })
  const steps = options.steps ?? { first: { seconds: 2 }, second: { seconds: 2 } }
  const stepNames = Object.keys(steps)
  const manifest: Workflow = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [RECORD_ID_LABEL]: recordId,
        [WORKFLOW_TYPE_LABEL]: 'streamtest',
        [SEQ_LABEL]: String(seq),
      },
      annotations: {
        [FILES_ANNOTATION]: JSON.stringify([file]),
        'sandbox.compchem.cz/behavior': JSON.stringify(steps),
      },
      finalizers: [OUTCOME_FINALIZER],
    },
    spec: {
      entrypoint: 'main',
      ...(options.ttlSecondsAfterCompletion !== undefined
        ? { ttlStrategy: { secondsAfterCompletion: options.ttlSecondsAfterCompletion } }
        : {}),
      templates: [
        {
          name: 'main',
          dag: {
            tasks: stepNames.map((step, index) => ({
              name: step,
              template: step,
              ...(index ? { dependencies: [stepNames[index - 1]] } : {}),
            })),
          },
        },
        ...stepNames.map((step) => ({
          name: step,
          container: { image: 'busybox', command: ['sh', '-c', 'true'] },
          outputs: { parameters: [{ name: 'result', valueFrom: { path: '/tmp/result.json', default: '' } }] },
        })),
      ],
    },
  }
  await service.context.argo.createWorkflow(manifest)
  return name
}

export interface SseClient {
  events: EventSourceMessage[]
  status: number
  headers: http.IncomingHttpHeaders
  /** Resolves when an event matching the predicate has arrived (checks past events too). */
  waitFor(predicate: (event: EventSourceMessage) => boolean, timeoutMs?: number): Promise<EventSourceMessage>
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
  comments: string[]
  close(): void
}

/** Opens an SSE request with a plain http client (no reconnects: tests decide when to reconnect). */
export function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const events: EventSourceMessage[] = []
    const comments: string[] = []
    const waiters: Array<{
      predicate: (e: EventSourceMessage) => boolean
      resolve: (e: EventSourceMessage) => void
    }> = []
    const parser = createParser({
      onEvent: (event) => {
        events.push(event)
        for (const waiter of [...waiters]) {
          if (waiter.predicate(event)) {
            waiters.splice(waiters.indexOf(waiter), 1)
            waiter.resolve(event)
          }
        }
      },
      onComment: (comment) => comments.push(comment),
    })
    const request = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      let endResolve: () => void
      const ended = new Promise<void>((done) => (endResolve = done))
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => parser.feed(chunk))
      response.on('close', () => endResolve())
      response.on('error', () => endResolve())
      resolve({
        events,
        comments,
        status: response.statusCode ?? 0,
        headers: response.headers,
        ended,
        waitFor: (predicate, timeoutMs = 20_000) => {
          const found = events.find(predicate)
          if (found) return Promise.resolve(found)
          return new Promise((ok, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching event; got ${JSON.stringify(events.map((e) => e.event))}`)),
              timeoutMs,
            )
            waiters.push({
              predicate,
              resolve: (event) => {
                clearTimeout(timer)
                ok(event)
              },
            })
          })
        },
        close: () => request.destroy(),
      })
    })
    request.on('error', reject)
  })
}

export interface WebhookReceiver {
  url: string
  deliveries: Array<{ headers: http.IncomingHttpHeaders; body: string }>
  close(): Promise<void>
}

export async function startWebhookReceiver(answer = () => 204): Promise<WebhookReceiver> {
  const deliveries: WebhookReceiver['deliveries'] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body })
      res.statusCode = answer()
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
