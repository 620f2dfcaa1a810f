import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Every .ts file under `dir` (no dist, no node_modules). */
function tsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The package a bare import specifier names (`@scope/pkg/sub` -> `@scope/pkg`); undefined for relative paths. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Bare packages imported (statically, dynamically or as types) by the files. */
function importsOf(files: string[]): Set<string> {
  const found = new Set<string>();
  const patterns = [/\bfrom\s+'([^']+)'/g, /\bimport\s*\(\s*'([^']+)'\s*\)/g, /^import\s+'([^']+)'/gm];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.add(m[1] as string);
  }
  return new Set([...found].map(packageOf).filter((p): p is string => p !== undefined && !builtins.has(p)));
}

const workspaces = ['libs', 'services']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  .concat(join(root, 'bench'));

describe('dependencies', () => {
  it('when a workspace package imports another package in src/ or test/, then its own package.json declares it', () => {
    const missing: string[] = [];
    for (const dir of workspaces) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string>;
      const declared = new Set(
        ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].flatMap((k) =>
          Object.keys((pkg[k] as Record<string, string>) ?? {}),
        ),
      );
      declared.add(pkg.name as string);
      const used = importsOf([...tsFiles(join(dir, 'src')), ...tsFiles(join(dir, 'test'))]);
      for (const name of used) if (!declared.has(name) && name !== 'vitest') missing.push(`${pkg.name as string} imports ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('when the scan meets a made-up import, then it reports it (the check can fail)', () => {
    expect(importsOf([join(root, 'tools/test/declared-dependencies.test.ts')]).has('vitest')).toBe(true);
    expect(packageOf('@fedssd/data/node')).toBe('@fedssd/data');
    expect(packageOf('./x.js')).toBeUndefined();
  });
});
