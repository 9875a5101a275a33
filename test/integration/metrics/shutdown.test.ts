// Graceful shutdown of a served instance (startService): an open event stream gets a final
// `shutdown` event so its client reconnects to another replica, and close() resolves.
import { startService, SHUTDOWN_EVENT, type RunningService } from '../../../src/service.js'
import { KubeConfig } from '@kubernetes/client-node'
import { pino } from 'pino'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { openSse } from '../streams/helpers.js'

describe('graceful shutdown', () => {
  let stack: TestStack
  let running: RunningService | undefined

  beforeAll(async () => {
    stack = await startTestStack()
    // Load the database client's engine while jest is inside a hook (it imports it lazily).
    await stack.service.context.db.ping()
    await stack.service.context.informer.whenSynced()
  })

  afterAll(async () => {
    await running?.close()
    await stack?.close()
  })

  test('an open stream receives a final event when close() is called, and close() resolves', async () => {
    const kubeConfig = new KubeConfig()
    kubeConfig.loadFromString(stack.cluster.kube.kubeconfig())
    running = await startService({
      settings: { ...stack.service.context.settings, host: '127.0.0.1', port: 0, shutdownGraceSeconds: 5 },
      kubeConfig,
      database: stack.db.realPostgres ? undefined : stack.db.db,
      logger: pino({ level: 'silent' }),
    })
    await running.context.informer.whenSynced()
    const stream = await openSse(`${running.url}/api/v1/records/${stack.recordId}/events`, {
      Authorization: `Bearer ${stack.tokens.alice}`,
    })
    expect(stream.status).toBe(200)
    await stream.waitFor((event) => event.event === 'snapshot')

    await running.close()
    running = undefined
    const final = await stream.waitFor((event) => event.event === SHUTDOWN_EVENT.event)
    expect(JSON.parse(final.data)).toEqual({ reason: expect.stringContaining('reconnect') })
    await stream.ended
  })
})
