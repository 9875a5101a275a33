// Browser end-to-end suite (test/e2e): a real Chromium driven by playwright-core against the demo.
// Separate from `npm test` because it needs a browser binary (CHROMIUM_PATH, installed by .ci/run).
const base = require('./jest.config.cjs')

module.exports = {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120000,
  maxWorkers: 1,
}
