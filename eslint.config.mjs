// Flat ESLint config: TypeScript-aware recommended rules for every package.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const node = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'fetch',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'structuredClone',
    'AbortController',
  ].map((g) => [g, 'readonly']),
);
const browser = Object.fromEntries(
  [
    'window',
    'document',
    'navigator',
    'localStorage',
    'fetch',
    'console',
    'setTimeout',
    'clearTimeout',
    'URL',
    'Blob',
    'FileReader',
    'HTMLElement',
  ].map((g) => [g, 'readonly']),
);

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'apps/api/schema.graphql', 'apps/dashboard/src/graphql/generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // TypeScript checks names itself; no-undef only misreads types and globals there.
  { files: ['**/*.ts', '**/*.tsx'], rules: { 'no-undef': 'off' } },
  { files: ['apps/dashboard/**'], languageOptions: { globals: browser } },
);
