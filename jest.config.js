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
};
