import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['assert', 'buffer', 'child_process', 'crypto', 'dns', 'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'process', 'stream', 'timers', 'tls', 'url', 'util', 'worker_threads', 'zlib'];

const NOT_SANDBOX_SAFE = { group: ['node:*', 'date-holidays', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Not sandbox-safe.' };
const PROCESS_SELF_CONTAINED = { group: ['../*'], message: 'src/process is sandbox-safe and self-contained: data that can change (calendar, directory, time zones) is read in activities.', allowTypeImports: true };
// Every module in the workflow bundle is instantiated again for each cached case: zod would cost megabytes a case.
const NO_ZOD = { group: ['zod', 'zod/*', './schemas', '**/process/schemas'], message: 'zod stays out of the workflow bundle: check inputs with src/process/inputs.ts (schemas.ts is for kscp and the client).', allowTypeImports: true };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Code that runs in Temporal's deterministic sandbox, by folder: the workflows and the declared
    // process (src/process). No Node built-ins, no I/O, no console, no data that can change.
    files: ['workflows/**/*.ts', 'src/process/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'No process in workflow code.' }, { name: 'require', message: 'Import, do not require.' }],
    },
  },
  {
    // The process imports only itself (types from elsewhere are fine).
    files: ['src/process/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.flatMap((m) => [{ name: m }, { name: `node:${m}` }]),
          patterns: [NOT_SANDBOX_SAFE, PROCESS_SELF_CONTAINED, NO_ZOD],
        },
      ],
    },
  },
  {
    // The zod schemas for kscp and the client live beside the process they describe, outside the bundle.
    files: ['src/process/schemas.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: NODE_BUILTINS.flatMap((m) => [{ name: m }, { name: `node:${m}` }]), patterns: [NOT_SANDBOX_SAFE, PROCESS_SELF_CONTAINED] }],
    },
  },
  {
    // Workflows import the process and, as types only, the activities.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.flatMap((m) => [{ name: m }, { name: `node:${m}` }]),
          patterns: [
            NOT_SANDBOX_SAFE,
            { group: ['../src/*', '!../src/process', '../activities/*', '../workers/*'], message: 'Workflows import src/process only (activities as types).', allowTypeImports: true },
            NO_ZOD,
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
