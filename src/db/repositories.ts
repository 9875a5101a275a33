// Repositories of the write-once tables (split by concern; this module gathers them).
export * from './runs.js'
export * from './outcomes.js'
export * from './purge.js'
export * from './rows.js'
export { isWriteOnceViolation, WRITE_ONCE_SQLSTATE } from './errors.js'
