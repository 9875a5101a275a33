// Applies prisma/migrations with the WebAssembly schema engine, recording `_prisma_migrations` the
// way `prisma migrate deploy` does, without the native engine (it cannot be downloaded here).
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PrismaPg } from '@prisma/adapter-pg'
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils'
import type { MigrationDirectory } from '@prisma/schema-engine-wasm'
import { loadSchemaEngine } from './schema-engine.js'

/** The package root is two levels above this file both in src/db (tsx, jest) and in dist/db. */
export const DEFAULT_PRISMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma')

const LOCKFILE = 'migration_lock.toml'
const MIGRATION_FILE = 'migration.sql'

/**
 * Applies every migration in `<prismaDir>/migrations` that the database has not recorded yet and
 * returns the names it applied (empty when the database is up to date).
 */
export async function migrate(connectionString: string, prismaDir = DEFAULT_PRISMA_DIR): Promise<string[]> {
  const schema = await readFile(path.join(prismaDir, 'schema.prisma'), 'utf8')
  const baseDir = path.join(prismaDir, 'migrations')
  const migrationDirectories = await readMigrationDirectories(baseDir)
  const lockfile = await readFile(path.join(baseDir, LOCKFILE), 'utf8').catch(() => null)

  const SchemaEngine = await loadSchemaEngine()
  const adapterFactory = new WholeScriptAdapterFactory(new PrismaPg({ connectionString }))
  const engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  )
  try {
    const output = await engine.applyMigrations({
      migrationsList: {
        baseDir,
        lockfile: { path: LOCKFILE, content: lockfile },
        shadowDbInitScript: '',
        migrationDirectories,
      },
      filters: { externalTables: [], externalEnums: [] },
    })
    return output.appliedMigrationNames
  } finally {
    engine.free()
    await adapterFactory.dispose()
  }
}

async function readMigrationDirectories(baseDir: string): Promise<MigrationDirectory[]> {
  const entries = await readdir(baseDir, { withFileTypes: true })
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  return Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: MIGRATION_FILE,
        content: await readFile(path.join(baseDir, name, MIGRATION_FILE), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (error: Error) => ({ tag: 'error' as const, value: error.message }),
        ),
      },
    })),
  )
}

/**
 * @prisma/adapter-pg runs a migration script by splitting it on ';', which cuts plpgsql bodies
 * ($$ … ; … $$) apart. This factory sends each script whole: PostgreSQL's simple query protocol runs
 * all its statements as one implicit transaction, so a failing migration leaves nothing behind.
 */
class WholeScriptAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres'
  readonly adapterName: string
  private readonly opened: Array<{ dispose(): Promise<void> }> = []

  constructor(private readonly inner: PrismaPg) {
    this.adapterName = inner.adapterName
  }

  async connect() {
    return this.track(await this.inner.connect())
  }

  async connectToShadowDb() {
    return this.track(await this.inner.connectToShadowDb())
  }

  /** The engine does not always dispose what it connected; close the pools so no socket lingers. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.opened.splice(0).map((adapter) => adapter.dispose()))
  }

  private track(adapter: Awaited<ReturnType<PrismaPg['connect']>>) {
    const pool = adapter.underlyingDriver()
    adapter.executeScript = async (script: string) => {
      await pool.query(script)
    }
    this.opened.push(adapter)
    return adapter
  }
}
