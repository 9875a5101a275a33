// `npx fileprocessor …`: one entry, each concern registers its own subcommands.
import { Command } from 'commander'
import { registerCommands } from './commands.js'

const program = new Command('fileprocessor').description('compchem-fileprocessor command-line tools')
registerCommands(program)
await program.parseAsync(process.argv)
