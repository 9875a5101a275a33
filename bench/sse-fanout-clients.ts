// Child process of bench/sse-fanout: the SSE clients, off the service's event loop as browsers are.
// Each keeps when every workflow event arrived (wall-clock ms, comparable across processes); the
// whole list goes to the benchmark over IPC when it stops them, so IPC stays out of the run.
import http from 'node:http'
import type { ELDHistogram } from 'node:perf_hooks'
import { createParser } from 'eventsource-parser'
import type { WorkflowEventData } from '../src/streams/index.js'
import {
  loopDelayMonitor,
  loopDelayOf,
  now,
  serveRequests,
  stateKey,
  type ClientsReply,
  type ClientsRequest,
  type Stamps,
} from './sse-fanout-protocol.js'

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
const requests: http.ClientRequest[] = []
const arrivals: Stamps = []
let failed = 0
let loopDelay: ELDHistogram | undefined

function openClient(url: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const request = http.get(url, { agent }, (response) => {
      const parser = createParser({
        onEvent: (event) => {
          if (event.event !== 'workflow') return
          const at = now()
          arrivals.push([stateKey(JSON.parse(event.data) as WorkflowEventData), at])
        },
      })
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => parser.feed(chunk))
      response.on('error', () => {})
      resolve()
    })
    request.on('error', () => {
      failed++
      resolve()
    })
    requests.push(request)
  })
}

serveRequests<ClientsRequest, ClientsReply>(async (request) => {
  switch (request.kind) {
    case 'open': {
      const { baseUrl, records, count, offset } = request
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          openClient(`${baseUrl}/${encodeURIComponent(records[(offset + i) % records.length]!)}`),
        ),
      )
      return { kind: 'open', opened: count - failed }
    }
    case 'measure':
      loopDelay = loopDelayMonitor()
      return
    case 'count':
      return { kind: 'count', received: arrivals.length }
    case 'stop': {
      loopDelay?.disable()
      for (const client of requests) client.destroy()
      agent.destroy()
      return {
        kind: 'arrivals',
        items: arrivals,
        loopDelayMs: loopDelay ? loopDelayOf(loopDelay) : { p50: NaN, p99: NaN },
        failed,
      }
    }
  }
})
