import { describe, expect, it } from 'vitest';
import { CLUSTER_PACKAGES, ensureClusterPackages, missingPackages, type PackageHost } from '../src/system-packages.js';

/** A machine where only `present` files exist, and apt-get "installs" by adding the packages' files. */
function machine(present: string[], isRoot: boolean) {
  const files = new Set(present);
  const calls: string[][] = [];
  const host: PackageHost = {
    exists: (path) => files.has(path),
    isRoot,
    aptGet: (args) => {
      calls.push(args);
      if (args[0] === 'install') for (const pkg of args.filter((a) => !a.startsWith('-') && a !== 'install')) files.add(CLUSTER_PACKAGES[pkg]!);
    },
  };
  return { host, calls };
}

const all = Object.values(CLUSTER_PACKAGES);
const without = (...paths: string[]) => all.filter((p) => !paths.includes(p));

describe('up checks its system packages first', () => {
  it('names each missing package by the file the cluster would start', () => {
    expect(missingPackages(machine(all, false).host)).toEqual([]);
    expect(missingPackages(machine(without('/usr/bin/etcd', '/usr/sbin/haproxy'), false).host)).toEqual(['etcd-server', 'haproxy']);
  });

  it('does nothing when every package is there', () => {
    const { host, calls } = machine(all, true);
    ensureClusterPackages(() => undefined, host);
    expect(calls).toEqual([]);
  });

  it('not as root: prints the one apt-get command and fails, installing nothing', () => {
    const { host, calls } = machine(without('/usr/bin/etcd', '/usr/bin/etcdctl'), false);
    expect(() => ensureClusterPackages(() => undefined, host)).toThrow(
      'missing system packages: etcd-server etcd-client. Install them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends etcd-server etcd-client',
    );
    expect(calls).toEqual([]);
  });

  it('as root: installs the missing ones and says so', () => {
    const { host, calls } = machine(without('/usr/bin/patroni'), true);
    const said: string[] = [];
    ensureClusterPackages((line) => said.push(line), host);
    expect(said).toEqual(['Installing missing system packages: patroni']);
    expect(calls).toEqual([['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'patroni']]);
  });

  it('as root: fails plainly when apt-get leaves the file missing', () => {
    const { host } = machine(without('/usr/sbin/haproxy'), true);
    host.aptGet = () => undefined;
    expect(() => ensureClusterPackages(() => undefined, host)).toThrow('apt-get installed nothing that provides /usr/sbin/haproxy');
  });
});
