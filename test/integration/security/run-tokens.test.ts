// Run tokens end to end in the sandbox: the Secret owned by the Workflow, the file proxy during the
// run, refusal for another run's files and after the end, odd keys, write-back marked as generated,
// the Secret going with the Workflow, and no token anywhere in the cluster's objects or the logs.
import { request as httpRequest } from 'node:http'
import { createLogger } from '../../../src/log.js'
import { isTerminal } from '../../../src/argo/index.js'
import { RESOURCES } from '../../../src/sandbox/kube/resources.js'
import type { ResourceName } from '../../../src/sandbox/types.js'
import { runTokenOf, startRun, startSecurityStack, waitUntil, type SecurityStack } from './helpers.js'

const logLines: string[] = []

/** A request sent exactly as written (fetch would resolve `..` and re-encode). */
function rawCall(
  stack: SecurityStack,
  method: string,
  path: string,
  token: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const url = new URL(stack.baseUrl)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe('run tokens', () => {
  let stack: SecurityStack
  let first: string
  let second: string
  let firstToken: string
  let secondToken: string
  const filePath = (run: string, key: string) => `/api/v1/runs/${run}/files/${encodeURIComponent(key)}`

  beforeAll(async () => {
    stack = await startSecurityStack({
      cluster: { speed: 1, stepSeconds: 120 },
      logger: createLogger({ level: 'trace', destination: { write: (line: string) => logLines.push(line) } }),
    })
    await stack.service.context.informer.whenSynced()
    first = await startRun(stack, 'gaussian-log', ['water-dimer.log'])
    second = await startRun(stack, 'gromacs-tpr', ['md/topol.tpr'])
    firstToken = runTokenOf(stack, first)
    secondToken = runTokenOf(stack, second)
  }, 120_000)

  afterAll(async () => {
    await stack?.close()
  })

  test('the Secret is owned by the Workflow, which was resumed and carries no token', () => {
    const workflow = stack.cluster.store.get('workflows', 'default', first)!
    const secret = stack.cluster.store.get('secrets', 'default', `${first}-run-token`)!
    expect(secret.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Workflow', name: first, uid: workflow.metadata.uid }),
    ])
    expect((workflow as unknown as { spec: { suspend?: boolean } }).spec.suspend).toBeFalsy()
    expect(firstToken).toMatch(/^cfr_[A-Za-z0-9_-]{43}$/)
    expect(firstToken).not.toBe(secondToken)
  })

  test('the database holds only the hash', async () => {
    const rows = await stack.service.context.db.prisma.compchemRunToken.findMany()
    expect(rows).toHaveLength(2)
    expect(
      JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
    ).not.toContain(firstToken.slice(4))
  })

  test('during the run: its input file streams, with Range', async () => {
    const expected = stack.invenio.getFile(stack.recordId, 'water-dimer.log')!.content!
    const whole = await stack.call('GET', filePath(first, 'water-dimer.log'), { token: firstToken })
    expect(whole.status).toBe(200)
    expect(whole.text).toBe(expected.toString('utf8'))
    const part = await stack.call('GET', filePath(first, 'water-dimer.log'), {
      token: firstToken,
      headers: { range: 'bytes=0-9' },
    })
    expect(part.status).toBe(206)
    expect(part.text).toBe(expected.subarray(0, 10).toString('utf8'))
  })

  test('a key with / travels as %2F in one segment', async () => {
    const response = await stack.call('GET', filePath(second, 'md/topol.tpr'), { token: secondToken })
    expect(response.status).toBe(200)
  })

  test("another run's file, another run's path, or a file of no run → 403", async () => {
    expect((await stack.call('GET', filePath(first, 'md/topol.tpr'), { token: firstToken })).status).toBe(403)
    expect((await stack.call('GET', filePath(second, 'md/topol.tpr'), { token: firstToken })).status).toBe(
      403,
    )
    expect((await stack.call('GET', filePath(first, 'notes.txt'), { token: firstToken })).status).toBe(403)
  })

  test("odd keys: '..', NUL, control characters, empty segments, very long → 400, never a file", async () => {
    for (const key of [
      '..',
      '%2E%2E',
      '..%2Fnotes.txt',
      'a%2F..%2Fb',
      'bad%00key',
      'a%0Ab',
      '%2Fnotes.txt',
      'a%2F%2Fb',
    ]) {
      const response = await rawCall(stack, 'GET', `/api/v1/runs/${first}/files/${key}`, firstToken)
      expect({ key, status: response.status }).toEqual({ key, status: 400 })
    }
    const long = await rawCall(stack, 'GET', `/api/v1/runs/${first}/files/${'a'.repeat(5000)}`, firstToken)
    expect(long.status).toBe(400)
    const badEncoding = await rawCall(stack, 'GET', `/api/v1/runs/${first}/files/%E0%A4%A`, firstToken)
    expect([400, 404]).toContain(badEncoding.status)
  })

  test('a result is written to the draft marked as generated; inputs cannot be replaced', async () => {
    const stored = await rawCall(
      stack,
      'PUT',
      `/api/v1/runs/${first}/results/${encodeURIComponent('out/energy.json')}`,
      firstToken,
      '{"E":-152.8}',
    )
    expect(stored.status).toBe(201)
    const file = stack.invenio.getFile(stack.recordId, 'out/energy.json')!
    expect(file.content?.toString('utf8')).toBe('{"E":-152.8}')
    expect(file.metadata).toEqual(expect.objectContaining({ 'compchem:generated': true }))
    const input = await rawCall(
      stack,
      'PUT',
      `/api/v1/runs/${first}/results/water-dimer.log`,
      firstToken,
      'x',
    )
    expect(input.status).toBe(403)
    const dotted = await rawCall(stack, 'PUT', `/api/v1/runs/${first}/results/..%2Fx`, firstToken, 'x')
    expect(dotted.status).toBe(400)
  })

  test('once the run has ended its token is refused (401); the other run still works', async () => {
    await stack.service.context.argo.patchWorkflowSpec(first, { shutdown: 'Terminate' })
    await waitUntil(() => isTerminal(stack.service.context.informer.get(first)?.status?.phase))
    const after = await stack.call('GET', filePath(first, 'water-dimer.log'), { token: firstToken })
    expect(after.status).toBe(401)
    expect(after.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect((await stack.call('GET', filePath(second, 'md/topol.tpr'), { token: secondToken })).status).toBe(
      200,
    )
  }, 60_000)

  test('the Secret is deleted with its Workflow', async () => {
    // The outcome finalizer goes once the outcome is stored; then the deletion completes.
    await waitUntil(async () => (await stack.service.context.db.prisma.compchemWorkflowOutcome.count()) > 0)
    stack.cluster.store.delete('workflows', 'default', first)
    await waitUntil(() => !stack.cluster.store.get('workflows', 'default', first), 30_000)
    expect(stack.cluster.store.get('secrets', 'default', `${first}-run-token`)).toBeUndefined()
    expect(stack.cluster.store.get('secrets', 'default', `${second}-run-token`)).toBeDefined()
  }, 60_000)

  test('no token appears in any cluster object but its Secret, nor in any log line', () => {
    const secrets = [firstToken, secondToken]
    for (const resource of Object.keys(RESOURCES) as ResourceName[]) {
      if (resource === 'secrets') continue
      const text = JSON.stringify(stack.cluster.store.list(resource))
      for (const token of secrets)
        expect({ resource, leaked: text.includes(token) }).toEqual({ resource, leaked: false })
    }
    expect(logLines.length).toBeGreaterThan(10)
    const logs = logLines.join('\n')
    for (const token of [...secrets, ...secrets.map((token) => token.slice(4))])
      expect(logs.includes(token)).toBe(false)
  })
})
