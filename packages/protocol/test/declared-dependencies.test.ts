import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// npm hoisting makes an undeclared import work until the package is installed on its own.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKSPACES = ['packages', 'services'].flatMap((dir) => readdirSync(join(ROOT, dir)).map((name) => join(dir, name)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Package names a workspace's src imports at run time (type-only imports need no dependency). */
function importedPackages(workspace: string): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(ROOT, workspace, 'src'))) {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*?from '([^'.][^']*)'/gm)) {
      const parts = spec!.split('/');
      const name = spec!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
      if (!spec!.startsWith('node:') && !builtinModules.includes(name)) names.add(name);
    }
  }
  return names;
}

describe('every workspace declares the packages its source imports', () => {
  it.each(WORKSPACES)('%s', (workspace) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
    const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {})]);
    expect([...importedPackages(workspace)].filter((name) => !declared.has(name))).toEqual([]);
  });
});
