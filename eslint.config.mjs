// Flat ESLint config: TypeScript-aware recommended rules for every package, and the module
// boundaries between the Nx projects (docs/decisions.md, "Module boundaries").
import { readFileSync, readdirSync } from 'node:fs';
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
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

// A lib is imported by its package name and the entries its package.json `exports` lists, never a
// path inside it (`@brandwright/generation/src/...`). Node and Vite refuse such paths too; lint says so first.
const libEntries = readdirSync(new URL('./libs', import.meta.url)).flatMap((dir) => {
  const pkg = JSON.parse(readFileSync(new URL(`./libs/${dir}/package.json`, import.meta.url), 'utf8'));
  return Object.keys(pkg.exports ?? { '.': '' }).map((entry) => `${pkg.name}${entry.slice(1)}`);
});
const deepImports = {
  group: ['@brandwright/*/**', ...libEntries.map((entry) => `!${entry}`)],
  message: "Import a lib by an entry its package.json 'exports' lists, not a path inside it.",
};
// Test kits live in the repo's test/ folder; production code never imports them.
const testKits = {
  regex: '^(\\.\\./)+test/',
  message: 'Production code may not import test kits (test/); only *.spec.ts / *.test.ts files may.',
};
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  {
    sourceTag: 'platform:browser',
    bannedExternalImports: ['onnxruntime-node', 'sharp', 'node:*', 'stripe', 'typeorm', 'bullmq', '@nestjs/*'],
  },
];
const testFiles = ['**/*.spec.ts', '**/*.test.ts', 'test/**', '**/bench/**', 'bench/**'];

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

  // Project tags (project.json): apps depend on libs, libs only on libs, and nothing imports an app.
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { depConstraints }],
      'no-restricted-imports': ['error', { patterns: [deepImports, testKits] }],
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        // …and may reach the repo's shared kits under test/ by relative path.
        { allow: [testKits.regex], depConstraints },
      ],
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
    },
  },
  // The dashboard takes only the browser-safe entries of a lib (the root entry loads the engine).
  {
    files: ['apps/dashboard/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@brandwright/generation', message: "Use '@brandwright/generation/channels': the root entry loads onnxruntime." },
          ],
          patterns: [deepImports],
        },
      ],
    },
  },
);
