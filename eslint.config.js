// ESLint flat config (eslint 9, typescript-eslint 8). Run: `pnpm lint` (eslint + prettier --check).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['**/.scratch/**', '**/node_modules/**', 'bench/results/**', 'coverage/**', '**/dist/**'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // User-supplied strings are JSONata expressions, never JavaScript.
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
    },
  },
  {
    // Library code logs through pino (createLogger from @squadflow/shared).
    // CLI entry points may be exempted here later.
    files: ['packages/*/src/**'],
    rules: {
      'no-console': 'error',
    },
  },
);
