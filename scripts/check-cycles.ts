/**
 * `npm run check:cycles`: no import cycle anywhere, across workspaces too. madge alone cannot
 * follow `@gatehouse/*` imports (they resolve through package exports), so it skipped them and
 * could not see a cycle between two packages. Here every workspace export becomes a tsconfig
 * `paths` entry pointing at its source, and a file madge still cannot resolve is an error.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import madge from 'madge';

const ROOT = join(import.meta.dirname, '..');
const SCANNED = ['packages', 'services', 'tools', 'test', 'bench'];

type Exports = Record<string, string | Record<string, string>>;

/** `@gatehouse/x/sub` -> its source file, from every workspace's package.json exports. */
function sourcePaths(): Record<string, string[]> {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  const paths: Record<string, string[]> = {};
  for (const pattern of root.workspaces) {
    const parent = pattern.replace(/\/\*$/, '');
    for (const dir of readdirSync(join(ROOT, parent))) {
      const pkg = JSON.parse(readFileSync(join(ROOT, parent, dir, 'package.json'), 'utf8')) as { name: string; exports?: Exports };
      for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
        const source = typeof target === 'string' ? target : target['gatehouse-source'];
        if (source) paths[join(pkg.name, sub)] = [join(parent, dir, source)];
      }
    }
  }
  return paths;
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cycles-'));
try {
  const tsConfig = join(dir, 'tsconfig.json');
  writeFileSync(tsConfig, JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), compilerOptions: { baseUrl: ROOT, paths: sourcePaths() } }));
  const result = await madge(SCANNED.map((d) => join(ROOT, d)), { fileExtensions: ['ts'], tsConfig, excludeRegExp: [/node_modules/, /\/dist\//] });
  const cycles = result.circular();
  const skipped = result.warnings().skipped.filter((name) => name.startsWith('@gatehouse/'));
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' -> ')}`);
  for (const name of skipped) console.error(`not followed (add it to its package.json exports?): ${name}`);
  const files = Object.keys(result.obj()).length;
  if (cycles.length > 0 || skipped.length > 0) process.exit(1);
  console.log(`No import cycle in ${files} files (workspace imports followed to their sources).`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
