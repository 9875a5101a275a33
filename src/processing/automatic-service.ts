// The automatic parts of one service instance: the queue and the optional sync sweep. service.ts
// starts them; routes find them through automaticOf(context).
import type { AutomaticContext } from './automatic.js'
import { AutomaticQueue, type QueueOptions } from './queue.js'
import { SyncSweeper } from './sync.js'

export interface Automatic {
  queue: AutomaticQueue
  sweeper: SyncSweeper | undefined
  stop(): Promise<void>
}

const instances = new WeakMap<object, Automatic>()

export function startAutomatic(context: AutomaticContext, options: QueueOptions = {}): Automatic {
  const logger = context.logger.child({ component: 'automatic' })
  const scoped = { ...context, logger }
  const queue = new AutomaticQueue(scoped, options)
  queue.start()
  const seconds = context.settings.syncSweepSeconds
  const sweeper =
    seconds > 0
      ? new SyncSweeper(scoped, { intervalMs: seconds * 1000, onQueued: () => queue.kick() })
      : undefined
  sweeper?.start()
  const automatic: Automatic = {
    queue,
    sweeper,
    stop: async () => {
      await sweeper?.stop()
      await queue.stop()
    },
  }
  instances.set(context, automatic)
  return automatic
}

export function automaticOf(context: object): Automatic {
  const automatic = instances.get(context)
  if (!automatic) throw new Error('automatic processing was not started (startAutomatic in service.ts)')
  return automatic
}
