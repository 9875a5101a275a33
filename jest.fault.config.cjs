// Fault suite (test/fault): sandbox fault injection, replicas racing, and a real PostgreSQL that
// .ci/run restarts on request (FAULT_PG_RESTART_CMD). Separate from `npm test` for that reason.
const base = require('./jest.config.cjs')

module.exports = {
  ...base,
  roots: ['<rootDir>/test/fault'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180000,
  maxWorkers: 1,
}
