// /api/v1/health reports outside systems in trouble while it lasts; readiness does not depend on them
// (an outage of Invenio or of the Kubernetes watch must not take every replica out of its Service).
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { DATABASE_BOOT_TIMEOUT } from '../../helpers/database.js'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

let stack: TestStack
let url: string
let server: ReturnType<typeof createServer>

beforeAll(async () => {
  stack = await startTestStack()
  server = createServer(stack.service.app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}, DATABASE_BOOT_TIMEOUT)

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  await stack?.close()
})

interface Check {
  name: string
  state: 'up' | 'down'
  error?: string
}

async function check(name: string): Promise<Check> {
  const body = (await (await fetch(`${url}/api/v1/health`)).json()) as { checks: Check[] }
  return body.checks.find((c) => c.name === name)!
}

async function until(name: string, state: Check['state']): Promise<Check> {
  for (let i = 0; i < 200; i++) {
    const found = await check(name)
    if (found.state === state) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${name} never became ${state}`)
}

test('Invenio unreachable shows as down in health, not in readiness, and recovers', async () => {
  expect((await until('invenio', 'up')).error).toBeUndefined()
  stack.invenio.setFailure('down')
  try {
    const down = await until('invenio', 'down')
    expect(down.error).toBeTruthy()
    expect((await fetch(`${url}/api/v1/health/readiness`)).status).toBe(200)
  } finally {
    stack.invenio.setFailure(null)
  }
  await until('invenio', 'up')
})

test('an informer whose watch broke and cannot list again is reported until it watches again', async () => {
  await until('informer', 'up')
  const { faults } = stack.cluster.kube
  faults.failNext({ status: 503, count: 1000, verb: 'list' })
  faults.failNext({ status: 503, count: 1000, verb: 'watch' })
  faults.expireResourceVersions()
  faults.dropWatches()
  try {
    expect((await until('informer', 'down')).error).toContain('re-establishing its watch')
    expect((await fetch(`${url}/api/v1/health/readiness`)).status).toBe(200)
  } finally {
    faults.clear()
  }
  await until('informer', 'up')
}, 60_000)
