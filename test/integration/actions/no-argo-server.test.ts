// Retry without an Argo Server: 409 pointing at resubmit, unless the caller asks for that fallback.
import { findRunByName } from '../../../src/db/index.js'
import { DATABASE_BOOT_TIMEOUT } from '../../helpers/database.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { act, newRecord, startScriptedRun, untilEnded, untilOutcomes } from './fixtures.js'

import { jest } from '@jest/globals'

jest.setTimeout(60_000)

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack({ cluster: { argoServer: false } })
  await stack.service.context.informer.whenSynced()
}, DATABASE_BOOT_TIMEOUT)

afterAll(async () => {
  await stack?.close()
})

test('retry answers 409 pointing at resubmit; with {"fallback":"resubmit"} it resubmits', async () => {
  const recordId = newRecord(stack)
  const run = await startScriptedRun(stack, recordId, { summarize: { exitCode: 1 } })
  await untilEnded(stack, run.name)
  await untilOutcomes(stack, run.name, 1)

  const refused = await act(stack, run.name, 'retry', stack.tokens.alice).expect(409)
  expect(refused.body).toMatchObject({
    action: 'retry',
    phase: 'Failed',
    allowedActions: ['resubmit'],
    resubmit: `/api/v1/workflows/${run.name}/resubmit`,
  })
  expect(refused.body.detail).toContain('ARGO_SERVER_URL')

  const fallback = await act(stack, run.name, 'retry', stack.tokens.alice, { fallback: 'resubmit' }).expect(
    201,
  )
  expect(fallback.body).toMatchObject({ action: 'resubmit', requestedAction: 'retry', result: 'accepted' })
  expect(fallback.body.resubmitted.name).toBe(`gaussian-log-${recordId}-2`)
  const row = await findRunByName(stack.service.context.db.prisma, `gaussian-log-${recordId}-2`)
  expect(row?.resubmittedFrom).toBe(run.id)
})
