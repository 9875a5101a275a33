// POST /api/v1/workflows/{name}/{action} against the sandbox (Kubernetes API, Argo controller
// simulator and Argo Server), through the service's composition root.
import { runTokenSecretName } from '../../../src/processing/run-tokens.js'
import request from 'supertest'
import { nodesOf, phaseOf } from '../../../src/argo/index.js'
import { DATABASE_BOOT_TIMEOUT } from '../../helpers/database.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import {
  act,
  cached,
  FILE,
  newRecord,
  nodeByDisplayName,
  rescript,
  startScriptedRun,
  until,
  untilEnded,
  untilOutcomes,
  untilStepRunning,
} from './fixtures.js'

import { jest } from '@jest/globals'

jest.setTimeout(60_000)

let stack: TestStack
let alice: string

beforeAll(async () => {
  stack = await startTestStack()
  alice = stack.tokens.alice
  await stack.service.context.informer.whenSynced()
}, DATABASE_BOOT_TIMEOUT)

afterAll(async () => {
  await stack?.close()
})

const HANG = { summarize: { hang: true } }

const detailOf = (name: string) =>
  request(stack.service.app).get(`/api/v1/workflows/${name}`).set('Authorization', `Bearer ${alice}`)

test('stop ends the run Failed with the exit handler run; repeating it is 202 again; the file unlocks', async () => {
  const recordId = newRecord(stack)
  const run = await startScriptedRun(stack, recordId, HANG)
  await untilStepRunning(stack, run.name, 'summarize')
  expect((await detailOf(run.name).expect(200)).body.allowedActions).toEqual(['stop', 'terminate', 'suspend'])

  const first = await act(stack, run.name, 'stop', alice).expect(202)
  expect(first.body).toMatchObject({ name: run.name, action: 'stop', result: 'accepted', phase: 'Running' })
  const again = await act(stack, run.name, 'stop', alice).expect(202)
  expect(again.body.result).toBe('already-in-effect')

  const ended = await untilEnded(stack, run.name)
  expect(phaseOf(ended)).toBe('Failed')
  expect(ended.status?.message).toBe("Stopped with strategy 'Stop'")
  const exitHandler = Object.values(nodesOf(ended)).find((node) => node.name === `${run.name}.onExit`)
  expect(exitHandler?.phase).toBe('Succeeded')
  await untilOutcomes(stack, run.name, 1)
  const afterEnd = await act(stack, run.name, 'stop', alice).expect(202)
  expect(afterEnd.body).toMatchObject({ result: 'already-in-effect', phase: 'Failed' })

  // Ended by Argo, so its file is free: a new start on it is accepted.
  const start = await request(stack.service.app)
    .post(`/api/v1/records/${recordId}/workflows`)
    .set('Authorization', `Bearer ${alice}`)
    .send({ type: 'gaussian-log', files: [FILE] })
    .expect(201)
  expect(start.body.name).toBe(`gaussian-log-${recordId}-2`)
})

test('terminate ends the run Failed without running the exit handler', async () => {
  const run = await startScriptedRun(stack, newRecord(stack), HANG)
  await untilStepRunning(stack, run.name, 'summarize')
  await act(stack, run.name, 'terminate', alice).expect(202)
  const ended = await untilEnded(stack, run.name)
  expect(ended.status?.message).toBe("Stopped with strategy 'Terminate'")
  expect(Object.values(nodesOf(ended)).some((node) => node.name.startsWith(`${run.name}.onExit`))).toBe(false)
  await untilOutcomes(stack, run.name, 1)
  const repeated = await act(stack, run.name, 'terminate', alice).expect(202)
  expect(repeated.body.result).toBe('already-in-effect')
  // Stopping a terminated run is already in effect; suspending it is not possible.
  await act(stack, run.name, 'stop', alice).expect(202)
  const refused = await act(stack, run.name, 'suspend', alice).expect(409)
  expect(refused.headers['content-type']).toMatch(/application\/problem\+json/)
  expect(refused.body).toMatchObject({
    phase: 'Failed',
    allowedActions: ['retry', 'resubmit'],
    action: 'suspend',
  })
})

test('suspend then resume continues to Succeeded; resume of the Succeeded run is 409', async () => {
  const run = await startScriptedRun(stack, newRecord(stack), { summarize: { seconds: 20 } })
  await untilStepRunning(stack, run.name, 'summarize')
  await act(stack, run.name, 'suspend', alice).expect(202)
  const again = await act(stack, run.name, 'suspend', alice).expect(202)
  expect(again.body.result).toBe('already-in-effect')
  await until('suspend to reach the cache', () => cached(stack, run.name)?.spec?.suspend === true)
  expect((await detailOf(run.name).expect(200)).body.allowedActions).toEqual(['stop', 'terminate', 'resume'])

  const resumed = await act(stack, run.name, 'resume', alice).expect(202)
  expect(resumed.body.result).toBe('accepted')
  const ended = await untilEnded(stack, run.name)
  expect(phaseOf(ended)).toBe('Succeeded')
  await untilOutcomes(stack, run.name, 1)

  const refused = await act(stack, run.name, 'resume', alice).expect(409)
  expect(refused.body).toMatchObject({ phase: 'Succeeded', allowedActions: ['resubmit'], action: 'resume' })
  expect(refused.body.detail).toContain('Succeeded')
})

test('retry resets only the failed step, runs a new attempt and records its own outcome', async () => {
  const run = await startScriptedRun(stack, newRecord(stack), { summarize: { exitCode: 1 } })
  const failed = await untilEnded(stack, run.name)
  expect(phaseOf(failed)).toBe('Failed')
  const readFiles = nodeByDisplayName(failed, 'read-files')!
  expect(readFiles.phase).toBe('Succeeded')
  expect(nodeByDisplayName(failed, 'summarize')?.phase).toBe('Failed')

  rescript(stack, run.name, {}) // the flaky step is fine now
  const tokenSecret = () =>
    JSON.stringify(stack.cluster.store.get('secrets', 'default', runTokenSecretName(run.name))?.data)
  const firstToken = tokenSecret()
  const retried = await act(stack, run.name, 'retry', alice).expect(202)
  // The new attempt gets its own run token: the first one was revoked when attempt 1 ended.
  expect(tokenSecret()).not.toBe(firstToken)
  expect(tokenSecret()).toContain('token')
  expect(retried.body).toMatchObject({ action: 'retry', result: 'accepted', attempt: 2 })
  // The fast sandbox on a loaded machine may have finished the new attempt before the answer.
  expect(['Running', 'Succeeded']).toContain(retried.body.phase)

  const ended = await until('the retried attempt to succeed', () => {
    const workflow = cached(stack, run.name)
    return workflow && phaseOf(workflow) === 'Succeeded' ? workflow : undefined
  })
  expect(ended.metadata.annotations?.['compchem.cz/attempt']).toBe('2')
  const keptReadFiles = nodeByDisplayName(ended, 'read-files')!
  expect(keptReadFiles.id).toBe(readFiles.id)
  expect(keptReadFiles.startedAt).toBe(readFiles.startedAt)
  expect(nodeByDisplayName(ended, 'summarize')?.phase).toBe('Succeeded')

  const outcomes = await untilOutcomes(stack, run.name, 2)
  expect(outcomes.map((outcome) => [outcome.attempt, outcome.phase])).toEqual([
    [1, 'Failed'],
    [2, 'Succeeded'],
  ])
  const refused = await act(stack, run.name, 'retry', alice).expect(409)
  expect(refused.body.allowedActions).toEqual(['resubmit'])
})
