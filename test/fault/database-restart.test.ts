// PostgreSQL restarted while starts are in flight (FAULT_PG_RESTART_CMD, exported by .ci/run): starts
// fail cleanly or go through, readiness says "not ready" while the database is away, and afterwards
// every run is accounted for: none lost, none doubled, every outcome and notification kept.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import {
  addXyzRecord,
  eventually,
  expectCachesEqualServer,
  expectNothingLost,
  HealthProber,
  REAL_POSTGRES,
  sleep,
  startFaultStack,
  startOne,
  type FaultStack,
} from './helpers.js'

const restartCommand = process.env.FAULT_PG_RESTART_CMD
const run = promisify(execFile)

if (!REAL_POSTGRES || !restartCommand)
  console.log(
    'fault suite: database restart skipped: it needs DATABASE_URL and FAULT_PG_RESTART_CMD (a shell command that restarts that PostgreSQL)',
  )
const describeWithRestart = REAL_POSTGRES && restartCommand ? describe : describe.skip

describeWithRestart('fault: PostgreSQL restarted mid-start', () => {
  let stack: FaultStack

  beforeAll(async () => {
    stack = await startFaultStack()
  })

  afterAll(async () => {
    await stack?.close()
  })

  test('30 starts across a restart: each answered 201 or 503, nothing lost, readiness went down and up', async () => {
    const record = addXyzRecord(stack, 30)
    const prober = new HealthProber(stack.service, 5)
    const starts = record.keys.map(async (key, index) => {
      await sleep(index * 15)
      return startOne(stack.service, stack.tokens.alice, record.id, key)
    })
    await sleep(100)
    await run('sh', ['-c', restartCommand!], { timeout: 60_000 })
    const responses = await Promise.all(starts)
    await eventually('readiness up again', () => prober.readiness.at(-1)?.status === 200)
    await prober.stop()

    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([])
    expect(
      prober.readiness.some((answer) => answer.status === 503 && answer.failing.includes('database')),
    ).toBe(true)
    // Every file whose start was refused can be started again: no ghost holds it.
    const refused = record.keys.filter((_, index) => statuses[index] !== 201)
    const retried = await Promise.all(
      refused.map((key) => startOne(stack.service, stack.tokens.alice, record.id, key)),
    )
    expect(retried.map((response) => response.status)).toEqual(refused.map(() => 201))

    await expectCachesEqualServer(stack)
    await expectNothingLost(stack)
  })
})
