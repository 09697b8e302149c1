/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // Workflow tests share one time-skipping server clock and integration tests start real servers: one file at a time.
  maxWorkers: 1,
  testTimeout: 120_000,
  slowTestThreshold: 30,
  // What workers, servers and the SDK say goes to test-artifacts/logs/<test file>.log, printed only when that file fails.
  reporters: ['default', '<rootDir>/test/helpers/logReporter.js'],
};
