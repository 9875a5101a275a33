// Worker thread of bench/sse-fanout: opens SSE clients and reports, in batches, when each workflow
// event arrived (absolute ms, comparable across threads), so client parsing does not share the
// service's event loop.
import http from 'node:http'
import { parentPort, workerData } from 'node:worker_threads'
import { createParser } from 'eventsource-parser'

interface Job {
  baseUrl: string
  records: string[]
  count: number
  offset: number
}

const job = workerData as Job
const now = () => performance.timeOrigin + performance.now()
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
const requests: http.ClientRequest[] = []
let batch: Array<[string, number]> = []

await Promise.all(
  Array.from(
    { length: job.count },
    (_, i) =>
      new Promise<void>((resolve, reject) => {
        const record = job.records[(job.offset + i) % job.records.length]!
        const request = http.get(`${job.baseUrl}/${record}`, { agent }, (response) => {
          const parser = createParser({
            onEvent: (event) => {
              if (event.event !== 'workflow') return
              const data = JSON.parse(event.data) as { name: string; phase: string; progress: string }
              batch.push([`${data.name}|${data.phase}|${data.progress}`, now()])
            },
          })
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => parser.feed(chunk))
          response.on('error', () => {})
          resolve()
        })
        request.on('error', reject)
        requests.push(request)
      }),
  ),
)

const flush = setInterval(() => {
  if (batch.length) parentPort!.postMessage({ kind: 'received', items: batch })
  batch = []
}, 100)
parentPort!.postMessage({ kind: 'open' })
parentPort!.on('message', (message: { kind: string }) => {
  if (message.kind !== 'stop') return
  clearInterval(flush)
  if (batch.length) parentPort!.postMessage({ kind: 'received', items: batch })
  for (const request of requests) request.destroy()
  agent.destroy()
  parentPort!.postMessage({ kind: 'stopped' })
  parentPort!.close()
})
