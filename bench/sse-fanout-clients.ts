// Child process of bench/sse-fanout: the SSE clients, off the service's event loop as browsers are.
// Each keeps every workflow event with when it arrived (wall-clock ms, comparable across processes);
// which state it shows is worked out, and the list sent over IPC, only when the benchmark stops them,
// so the clients' own work during the run stays small.
import http from 'node:http'
import { createParser } from 'eventsource-parser'
import type { WorkflowEventData } from '../src/streams/index.js'
import {
  now,
  serveRequests,
  stateKey,
  type ClientsReply,
  type ClientsRequest,
  type ProcessLoad,
  type Stamps,
  watchProcessLoad,
} from './sse-fanout-protocol.js'

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
const requests: http.ClientRequest[] = []
/** [event data, arrival time] */
const arrivals: Stamps = []
let failed = 0
let measuring: (() => ProcessLoad) | undefined

function openClient(url: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const request = http.get(url, { agent }, (response) => {
      const parser = createParser({
        onEvent: (event) => {
          if (event.event !== 'workflow') return
          arrivals.push([event.data, now()])
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
      measuring = watchProcessLoad()
      return
    case 'count':
      return { kind: 'count', received: arrivals.length }
    case 'stop': {
      const load = measuring?.() ?? null
      for (const client of requests) client.destroy()
      agent.destroy()
      return {
        kind: 'arrivals',
        items: arrivals.map(([data, at]) => [stateKey(JSON.parse(data) as WorkflowEventData), at]),
        load,
        failed,
      }
    }
  }
})
