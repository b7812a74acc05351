// Lint, including the layering rules of docs/architecture.md (test/unit/lint-layering.test.ts makes each fire):
//   src/core      imports only src/core (pure: no I/O, no clock, no randomness)
//   src/services  imports src/core and src/ports.ts, never adapters, http, jobs or cli
//   src/http      imports core, ports and services; never cli or jobs
//   src/jobs      imports core, ports and services; never cli or http
//   src/adapters  implement ports; never call use cases, http, jobs or cli
//   only the composition roots (src/cli) construct adapters: nowhere else may a module import an
//   adapter's values (its classes and factories); http, jobs and ports may import adapter types only
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeIo = ['fs', 'http', 'https', 'net', 'tls', 'dns', 'child_process', 'dgram', 'worker_threads', 'cluster', 'crypto', 'os', 'process', 'timers']
  .flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);
const outsideCore = ['**/adapters/**', '**/services/**', '**/http/**', '**/jobs/**', '**/cli/**', '**/ports', '**/ports.js', '**/ports.ts', '**/main', '**/main.js', '**/main.ts'];
/** Only the composition roots (src/cli) construct adapters: elsewhere an adapter module may lend its types, never its values. */
const adapterValues = { group: ['**/adapters/**'], allowTypeImports: true, message: 'only the composition roots (src/cli) construct adapters; take a port instead (layering rule).' };
const ioLibraries = ['express', 'ioredis', 'bullmq', 'undici', '@keycloak/*', '@kubernetes/*', 'openid-client', 'pino', 'playwright-core'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.testbed/**', 'dist/**', 'test-results/**', 'test/fixtures/lint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', structuredClone: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeIo.map((name) => ({ name, message: 'src/core is pure: pass I/O in through a port instead.' })),
        patterns: [
          { group: outsideCore, message: 'src/core imports only src/core (layering rule).' },
          { group: ioLibraries, message: 'src/core is pure: I/O libraries belong in src/adapters.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'fetch', message: 'src/core is pure: no network.' },
        { name: 'process', message: 'src/core is pure: no environment.' },
        { name: 'setTimeout', message: 'src/core is pure: pass a Clock.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core is pure: pass the time in.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'src/core is pure: pass the time in.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'src/core is pure: pass randomness in.' },
      ],
    },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/adapters/**', '**/http/**', '**/jobs/**', '**/cli/**', '**/main', '**/main.js', '**/main.ts'], message: 'services import core and ports, never adapters (layering rule).' },
      ] }],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/services/**', '**/cli/**', '**/http/**', '**/jobs/**', '**/main', '**/main.js', '**/main.ts'], message: 'adapters implement ports; they do not call use cases.' },
      ] }],
    },
  },
  {
    files: ['src/http/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        adapterValues,
        { group: ['**/cli/**', '**/jobs/**', '**/main', '**/main.js', '**/main.ts'], message: 'src/http serves use cases (services); it does not reach into the CLI or the jobs (layering rule).' },
      ] }],
    },
  },
  {
    files: ['src/jobs/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        adapterValues,
        { group: ['**/cli/**', '**/http/**', '**/main', '**/main.js', '**/main.ts'], message: 'src/jobs schedules use cases (services); it does not reach into the CLI or the HTTP API (layering rule).' },
      ] }],
    },
  },
  {
    // Every other room (ports.ts, anything new): no adapter construction either.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/adapters/**', 'src/core/**', 'src/services/**', 'src/http/**', 'src/jobs/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [adapterValues] }],
    },
  },
);
