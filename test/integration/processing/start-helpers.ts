// Shared bits of the processing integration tests: authorised requests and waiting for a run's phase.
import request from 'supertest'
import { isTerminal, phaseOf } from '../../../src/argo/index.js'
import type { TestStack } from '../../helpers/stack.js'

export function api(stack: TestStack) {
  const app = stack.service.app
  return {
    get: (path: string, token?: string) => withToken(request(app).get(path), token),
    post: (path: string, body: object, token?: string) =>
      withToken(request(app).post(path), token).send(body),
  }
}

function withToken(test: request.Test, token: string | undefined): request.Test {
  return token === undefined ? test : test.set('Authorization', `Bearer ${token}`)
}

export const startPath = (recordId: string) => `/api/v1/records/${encodeURIComponent(recordId)}/workflows`

/** Polls the informer until the run reaches a terminal phase; returns that phase. */
export async function waitForEnd(stack: TestStack, name: string, timeoutMs = 25_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const workflow = stack.service.context.informer.get(name)
    if (workflow && isTerminal(phaseOf(workflow))) return phaseOf(workflow)
    if (Date.now() > deadline) throw new Error(`run ${name} did not end in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
