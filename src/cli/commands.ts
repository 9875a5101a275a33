import type { Command } from 'commander'
import { register as registerCatalog } from './catalog.js'

// Each module under src/cli adds a `register(program)`; list it here.
const registrations: Array<(program: Command) => void> = [registerCatalog]

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program)
}
