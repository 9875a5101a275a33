// Resubmit, concurrent actions, who may act, and the audit trail, against the sandbox.
import { phaseOf } from '../../../src/argo/index.js'
import { findRunByName, isWriteOnceViolation, listActions } from '../../../src/db/index.js'
import { DATABASE_BOOT_TIMEOUT, withPgClient } from '../../helpers/database.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import {
  act,
  cached,
  newRecord,
  startScriptedRun,
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

test('resubmit of a running run is refused (its file is busy); of an ended one it starts the next seq', async () => {
  const recordId = newRecord(stack)
  const run = await startScriptedRun(stack, recordId, { summarize: { hang: true } })
  await untilStepRunning(stack, run.name, 'summarize')
  const busy = await act(stack, run.name, 'resubmit', alice).expect(409)
  expect(busy.body.busyFiles).toEqual([expect.objectContaining({ key: 'w.log', heldBy: run.name })])

  await act(stack, run.name, 'stop', alice).expect(202)
  await untilEnded(stack, run.name)
  await untilOutcomes(stack, run.name, 1)
  const resubmitted = await act(stack, run.name, 'resubmit', alice).expect(201)
  expect(resubmitted.body).toMatchObject({ action: 'resubmit', result: 'accepted', phase: 'Failed' })
  const next = `gaussian-log-${recordId}-2`
  expect(resubmitted.body.resubmitted).toMatchObject({ name: next, seq: 2, files: ['w.log'] })
  expect(resubmitted.headers.location).toBe(`/api/v1/workflows/${next}`)
  const row = await findRunByName(stack.service.context.db.prisma, next)
  const original = await findRunByName(stack.service.context.db.prisma, run.name)
  expect(row?.resubmittedFrom).toBe(original?.id)
})

test('concurrent stop and resume of a suspended run leave it stopped, never running on', async () => {
  const run = await startScriptedRun(stack, newRecord(stack), { summarize: { hang: true } })
  await untilStepRunning(stack, run.name, 'summarize')
  await act(stack, run.name, 'suspend', alice).expect(202)
  const [stop, resume] = await Promise.all([
    act(stack, run.name, 'stop', alice),
    act(stack, run.name, 'resume', alice),
  ])
  expect(stop.status).toBe(202)
  expect([202, 409]).toContain(resume.status)
  const ended = await untilEnded(stack, run.name)
  expect(phaseOf(ended)).toBe('Failed')
  expect(ended.spec?.shutdown).toBe('Stop')
  expect(ended.status?.message).toBe("Stopped with strategy 'Stop'")
})

test('who may act: no token 401, no access 403, unknown run 404, unknown action 400', async () => {
  const run = await startScriptedRun(stack, newRecord(stack), { summarize: { seconds: 5 } })
  await act(stack, run.name, 'stop').expect(401)
  const forbidden = await act(stack, run.name, 'stop', stack.tokens.bob).expect(403)
  expect(forbidden.headers['content-type']).toMatch(/application\/problem\+json/)
  await act(stack, 'gaussian-log-nope-1', 'stop', alice).expect(404)
  await act(stack, run.name, 'explode', alice).expect(400)
  expect(cached(stack, run.name)?.spec?.shutdown).toBeUndefined()
  await untilEnded(stack, run.name)
})

test('every action is audited (accepted, repeated, refused) and audit rows cannot be changed', async () => {
  const run = await startScriptedRun(stack, newRecord(stack), { summarize: { hang: true } })
  await untilStepRunning(stack, run.name, 'summarize')
  await act(stack, run.name, 'stop', alice).expect(202)
  await act(stack, run.name, 'stop', alice).expect(202)
  await untilEnded(stack, run.name)
  await untilOutcomes(stack, run.name, 1)
  await act(stack, run.name, 'suspend', alice).expect(409)

  const actions = await listActions(stack.service.context.db.prisma, run.id)
  expect(actions.map((row) => [row.action, row.result])).toEqual([
    ['stop', 'accepted'],
    ['stop', 'already-in-effect'],
    ['suspend', 'refused'],
  ])
  expect(actions.every((row) => row.requestedBy !== '' && row.requestedAt instanceof Date)).toBe(true)

  const refusal = await withPgClient(stack.db.url, (client) =>
    client.query(`UPDATE compchem_workflow_action SET result = 'accepted' WHERE workflow_id = $1`, [run.id]),
  ).catch((error: unknown) => error)
  expect(isWriteOnceViolation(refusal)).toBe(true)
  const deleted = await withPgClient(stack.db.url, (client) =>
    client.query(`DELETE FROM compchem_workflow_action WHERE workflow_id = $1`, [run.id]),
  ).catch((error: unknown) => error)
  expect(isWriteOnceViolation(deleted)).toBe(true)
})
