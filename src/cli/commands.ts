import type { Command } from 'commander'

// Each module under src/cli adds a `register(program)`; list it here.
const registrations: Array<(program: Command) => void> = []

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program)
}
