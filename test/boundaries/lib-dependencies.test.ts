import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

/**
 * Each lib's package.json `dependencies` is exactly what its shipped code (src/, not specs)
 * imports, requires or resolves; tools used only by its benches and specs are devDependencies.
 */
const builtins = new Set(builtinModules);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.(spec|test)\.tsx?$/.test(name) ? [path] : [];
  });
}

/** `@scope/name/x` → `@scope/name`, `name/x` → `name`; null for relative paths and node builtins. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function importedPackages(root: string): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm, // import … from 'x', export … from 'x'
    /^\s*import\s+['"]([^'"]+)['"]/gm, // import 'x'
    /\b(?:require|require\.resolve|import)\s*\(\s*['"`]([^'"`$\s]+)/g, // require('x'), require.resolve(`x/${…}`), import('x')
  ];
  for (const file of sourceFiles(join(root, 'src'))) {
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const pattern of patterns) {
      for (const [, specifier] of code.matchAll(pattern)) {
        const name = packageOf(specifier);
        if (name) found.add(name);
      }
    }
  }
  return found;
}

const libs = readdirSync('libs').filter((name) => statSync(join('libs', name, 'package.json'), { throwIfNoEntry: false }));

test('there are libs to check', () => assert.ok(libs.length >= 3, libs.join()));

for (const lib of libs) {
  test(`libs/${lib}: dependencies are exactly the packages its src imports`, () => {
    const pkg = JSON.parse(readFileSync(join('libs', lib, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const imported = [...importedPackages(join('libs', lib))].sort();
    const listed = Object.keys(pkg.dependencies ?? {}).sort();
    assert.deepEqual(listed, imported, `libs/${lib}/package.json dependencies vs what libs/${lib}/src imports`);
  });
}
