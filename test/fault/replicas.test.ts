// Two replicas on one PostgreSQL and one sandbox: starts split across them never share a name, each
// run's end is notified once, and the elected periodic work (sync sweep, notification outbox sweep)
// runs on one replica at a time and moves to the other when the leader goes away.
import { automaticOf } from '../../src/processing/automatic-service.js'
import { insertNotifications } from '../../src/processing/notify-outbox.js'
import { liveOf } from '../../src/streams/live.js'
import {
  addXyzRecord,
  describeOnPostgres,
  eventually,
  expectCachesEqualServer,
  expectNothingLost,
  sleep,
  startFaultStack,
  startOne,
  type FaultStack,
} from './helpers.js'

describeOnPostgres('fault: two replicas', () => {
  let stack: FaultStack

  beforeAll(async () => {
    stack = await startFaultStack({ replicas: 2, env: { SYNC_SWEEP_SECONDS: '1' } })
  })

  afterAll(async () => {
    await stack?.close()
  })

  test('40 starts split across two replicas: distinct names, one notification per run and attempt', async () => {
    const records = [addXyzRecord(stack, 20, 'a'), addXyzRecord(stack, 20, 'b')]
    const responses = await Promise.all(
      records.flatMap((record) =>
        record.keys.map((key, index) =>
          startOne(stack.replicas[index % 2]!, stack.tokens.alice, record.id, key),
        ),
      ),
    )
    expect(responses.filter((response) => response.status !== 201)).toEqual([])
    await expectCachesEqualServer(stack)
    const { runs, outcomes } = await expectNothingLost(stack)
    expect({ runs, outcomes }).toEqual({ runs: 40, outcomes: 40 })
    // Both replicas saw every run end; the database let one of them record and notify each.
    const recorded = stack.replicas.map((service) => liveOf(service.context).recorder.stats().inserted)
    expect(recorded.reduce((sum, count) => sum + count, 0)).toBe(40)
  })

  test('the outbox sweep runs on one replica at a time and moves when the leader leaves', async () => {
    const run = await stack.db.db.prisma.compchemWorkflow.findFirstOrThrow({ orderBy: { id: 'asc' } })
    const pending = async (id: string) => {
      const row = { id, workflowId: run.id.toString(), attempt: 9, channel: 'webhook' as const }
      await insertNotifications(stack.db.db.prisma, [{ ...row, target: stack.receiver.url, payload: { id } }])
      await sleep(5)
    }
    // Every replica sweeps at once, with no quiet period: only the leader may send.
    const sweepAll = async () => {
      const taken = await Promise.all(
        stack.replicas.map((service) => liveOf(service.context).notifier.sweep(0)),
      )
      await Promise.all(stack.replicas.map((service) => liveOf(service.context).notifier.whenIdle()))
      return taken
    }

    await pending('outbox-recovery-1')
    const taken = await sweepAll()
    expect([...taken].sort()).toEqual([0, 1])
    expect(stack.receiver.counts.get('outbox-recovery-1')).toBe(1)
    expect(await sweepAll()).toEqual([0, 0])

    // A third replica joins, then the leader leaves (its connection, and with it the lock, goes
    // away): the sweep continues on exactly one of the replicas left.
    await stack.addReplica()
    await stack.closeReplica(stack.replicas[taken.indexOf(1)]!)
    await pending('outbox-recovery-2')
    expect([...(await sweepAll())].sort()).toEqual([0, 1])
    expect(stack.receiver.counts.get('outbox-recovery-2')).toBe(1)
  })

  test('the sync sweep is led by one replica at a time; another takes over when it leaves', async () => {
    const sweepers = () => stack.replicas.map((service) => automaticOf(service.context).sweeper!)
    await eventually('a sync sweep leader', () => sweepers().some((sweeper) => sweeper.isLeader()))
    for (let sample = 0; sample < 10; sample++) {
      expect(sweepers().filter((sweeper) => sweeper.isLeader())).toHaveLength(1)
      await sleep(200)
    }
    const leader = stack.replicas.find((service) => automaticOf(service.context).sweeper!.isLeader())!
    await stack.closeReplica(leader)
    await eventually('another sync sweep leader', () => sweepers().some((sweeper) => sweeper.isLeader()))
    expect(sweepers().filter((sweeper) => sweeper.isLeader())).toHaveLength(1)
  })
})
