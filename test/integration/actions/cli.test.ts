// `fileprocessor stop|…|resubmit <name>` against a stand-in of the action route.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { actionCommand } from '../../../src/cli/actions.js'

let server: Server
let url: string
const seen: Array<{ method?: string; path?: string; auth?: string; body: string }> = []

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      seen.push({ method: req.method, path: req.url, auth: req.headers.authorization, body })
      if (req.url?.endsWith('/resume')) {
        res.writeHead(409, { 'content-type': 'application/problem+json' })
        res.end(JSON.stringify({ status: 409, detail: 'Cannot resume run r-1: it has ended (Succeeded).' }))
        return
      }
      const resubmit = req.url?.endsWith('/resubmit') || body.includes('fallback')
      res.writeHead(resubmit ? 201 : 202, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          name: 'r-1',
          action: resubmit ? 'resubmit' : 'stop',
          result: 'accepted',
          phase: 'Running',
          ...(resubmit ? { resubmitted: { name: 'r-2' } } : {}),
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

function capture() {
  const lines = { out: [] as string[], err: [] as string[] }
  return {
    lines,
    output: { out: (line: string) => lines.out.push(line), err: (line: string) => lines.err.push(line) },
  }
}

test('posts the action with the token and prints the answer', async () => {
  const { lines, output } = capture()
  expect(await actionCommand('stop', 'r-1', { url, token: 't0k' }, output)).toBe(0)
  expect(seen.at(-1)).toMatchObject({
    method: 'POST',
    path: '/api/v1/workflows/r-1/stop',
    auth: 'Bearer t0k',
  })
  expect(lines.out).toEqual(['r-1: stop accepted (Running)'])
})

test('retry --fallback-resubmit sends the fallback and names the new run', async () => {
  const { lines, output } = capture()
  expect(await actionCommand('retry', 'r-1', { url, token: 't0k', fallbackResubmit: true }, output)).toBe(0)
  expect(JSON.parse(seen.at(-1)!.body)).toEqual({ fallback: 'resubmit' })
  expect(lines.out).toEqual(['r-1: resubmitted as r-2'])
})

test('a refusal prints the problem detail and exits 1', async () => {
  const { lines, output } = capture()
  expect(await actionCommand('resume', 'r-1', { url, token: 't0k' }, output)).toBe(1)
  expect(lines.err.join('\n')).toContain('it has ended (Succeeded)')
})
