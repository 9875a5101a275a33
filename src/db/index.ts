// The database layer's public surface: open, migrate, and the write-once repositories.
export { openDatabase, describeDatabaseUrl, type Database, type OpenDatabaseOptions } from './database.js'
export { startEmbeddedDatabase, IN_MEMORY, type EmbeddedDatabase, type EmbeddedOptions } from './embedded.js'
export { migrate, DEFAULT_PRISMA_DIR } from './migrate.js'
export { isWriteOnceViolation, WRITE_ONCE_SQLSTATE } from './errors.js'
export * from './rows.js'
export * from './runs.js'
export * from './outcomes.js'
export * from './purge.js'
