// `fileprocessor db migrate` and `fileprocessor purge --record <id>`: database administration.
// Both use DATABASE_URL, or the embedded PGlite in PGLITE_DATA_DIR (default .data/pglite) when it
// is unset; a data directory must not be open in a running service at the same time.
import type { Command } from 'commander'
import { describeDatabaseUrl, openDatabase } from '../db/database.js'
import { startEmbeddedDatabase } from '../db/embedded.js'
import { migrate } from '../db/migrate.js'
import { purgeRecord } from '../db/purge.js'

export const DEFAULT_PGLITE_DATA_DIR = '.data/pglite'

export interface DbCommandContext {
  env: NodeJS.ProcessEnv
  out(line: string): void
  err(line: string): void
}

export function register(program: Command): void {
  registerDbCommands(program, {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  })
}

export function registerDbCommands(program: Command, context: DbCommandContext): void {
  const db = program.command('db').description('database administration')
  db.command('migrate')
    .description(
      `apply pending migrations from prisma/migrations to DATABASE_URL, or to the embedded PGlite in PGLITE_DATA_DIR (default ${DEFAULT_PGLITE_DATA_DIR})`,
    )
    .action(async () => {
      process.exitCode = await migrateCommand(context)
    })
  program
    .command('purge')
    .description(
      'delete every stored row of a record (runs, files, links, outcomes): the only way rows leave the write-once tables, e.g. when the record itself was deleted',
    )
    .requiredOption('--record <id>', 'record id')
    .action(async (options: { record: string }) => {
      process.exitCode = await purgeCommand(options.record, context)
    })
}

/** Returns the exit code. */
export async function migrateCommand(context: DbCommandContext): Promise<number> {
  const url = context.env.DATABASE_URL
  const dataDir = context.env.PGLITE_DATA_DIR || DEFAULT_PGLITE_DATA_DIR
  try {
    if (url) {
      report(context, await migrate(url), describeDatabaseUrl(url))
    } else {
      const embedded = await startEmbeddedDatabase({ dataDir })
      try {
        report(context, await migrate(embedded.url), `embedded PGlite in ${dataDir}`)
      } finally {
        await embedded.close()
      }
    }
    return 0
  } catch (error) {
    context.err(`migration failed: ${withoutCredentials(error)}`)
    return 1
  }
}

function report(context: DbCommandContext, applied: string[], target: string): void {
  if (!applied.length) context.out(`${target}: database is up to date`)
  for (const name of applied) context.out(`${target}: applied ${name}`)
}

/** Returns the exit code. */
export async function purgeCommand(recordId: string, context: DbCommandContext): Promise<number> {
  if (!recordId.trim()) {
    context.err('purge: --record must not be empty')
    return 2
  }
  try {
    const database = await openDatabase({
      url: context.env.DATABASE_URL || undefined,
      dataDir: context.env.PGLITE_DATA_DIR || DEFAULT_PGLITE_DATA_DIR,
    })
    try {
      const counts = await purgeRecord(database.prisma, recordId)
      context.out(
        `record ${recordId}: deleted ${counts.runs} runs, ${counts.files} files, ${counts.links} links, ${counts.outcomes} outcomes`,
      )
      return 0
    } finally {
      await database.close()
    }
  } catch (error) {
    context.err(`purge failed: ${withoutCredentials(error)}`)
    return 1
  }
}

function withoutCredentials(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1***@')
}
