import { readFileSync } from 'node:fs';
import { satisfies } from 'semver';
import { describe, expect, it } from 'vitest';

// A clean `npm ci` on Node 20 (issue 10 §2): no EBADENGINE warning and no install script left
// unreviewed. Both are decided by the lockfile and package.json, so they are checked there.
interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
}

const root = new URL('../../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  allowScripts?: Record<string, boolean>;
};

const installed = Object.entries(lock.packages).filter(([path]) => path.includes('node_modules/'));
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('npm ci on this Node', () => {
  it('installs no package whose engines exclude the running Node', () => {
    const excluded = installed
      .filter(([, pkg]) => pkg.engines && !Array.isArray(pkg.engines) && pkg.engines.node)
      .filter(([, pkg]) => !satisfies(process.version, (pkg.engines as { node: string }).node))
      .map(([path, pkg]) => `${nameOf(path)}@${pkg.version} needs node ${(pkg.engines as { node: string }).node}`);
    expect(excluded).toEqual([]);
  });

  it('has a reviewed decision for every install script', () => {
    const withScripts = installed.filter(([, pkg]) => pkg.hasInstallScript).map(([path]) => nameOf(path));
    expect(withScripts.length).toBeGreaterThan(0); // esbuild's, at least: the check has something to check
    const unreviewed = withScripts.filter((name) => manifest.allowScripts?.[name] === undefined);
    expect(unreviewed).toEqual([]);
  });
});
