// Lint rules that hold the architecture in place (see docs/ARCHITECTURE.md):
// services -> adapters (transport) -> pure core (tensor, ssl, fedavg, data, eval, protocol, engine).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const deepImport = { group: ['@fedssd/*/src/*', '@fedssd/*/dist/*'], message: 'Import a package through its entry point.' };
const noServices = {
  group: ['@fedssd/cli', '@fedssd/api', '@fedssd/aggregator', '@fedssd/trainer'],
  message: 'Libraries never import services.',
};
const ioModules = ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:child_process', 'fs', 'net', 'http', 'child_process'];
const drivers = ['amqplib', 'ioredis', 'fastify', 'prom-client', 'pino'];
const pureCoreRestrictions = {
  paths: [...ioModules, ...drivers].map((name) => ({ name, message: 'The pure core does no I/O: move this to an adapter or a service.' })),
  patterns: [
    deepImport,
    { group: ['@fedssd/transport', '@fedssd/telemetry', '@fedssd/config'], message: 'The pure core cannot depend on adapters.' },
    noServices,
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', 'reports/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [deepImport] }],
    },
  },
  {
    files: ['libs/**/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport, noServices] }] },
  },
  {
    files: ['libs/{tensor,ssl,fedavg,data,eval,protocol,engine}/src/**/*.ts'],
    ignores: ['libs/data/src/node/**', 'libs/tensor/src/backend*.ts', 'libs/tensor/src/backend/**'],
    rules: {
      'no-restricted-imports': ['error', pureCoreRestrictions],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'The pure core reads no environment.' }],
    },
  },
  {
    files: ['services/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [deepImport, { ...noServices, message: 'A service never imports another service: share code through a library.' }] },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts', '**/*.config.*'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
