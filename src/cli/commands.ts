import type { Command } from 'commander'
import { register as registerActions } from './actions.js'
import { register as registerCatalog } from './catalog.js'
import { register as registerDb } from './db.js'
import { register as registerFinalizers } from './finalizers.js'
import { register as registerLogs } from './logs.js'
import { register as registerWatch } from './watch.js'

// Each module under src/cli adds a `register(program)`; list it here.
const registrations: Array<(program: Command) => void> = [
  registerCatalog,
  registerDb,
  registerWatch,
  registerLogs,
  registerActions,
  registerFinalizers,
]

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program)
}
