import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ETCD } from './nodes/etcd.js';
import { HAPROXY } from './nodes/haproxy.js';
import { PG_BIN } from './nodes/patroni-config.js';
import { PATRONI } from './nodes/patroni.js';
import { RABBIT_BIN } from './nodes/rabbitmq.js';

/**
 * The Debian packages `up` runs, each with the file it starts (so the check and the drivers name
 * the same paths). The same logic as scripts/ensure-system-packages.sh, for the cluster's packages
 * only: `up` needs no browser or compose. etcd-client is for the operator (etcdctl, docs/operations.md).
 */
export const CLUSTER_PACKAGES: Record<string, string> = {
  'postgresql-15': `${PG_BIN}/initdb`,
  patroni: PATRONI,
  'etcd-server': ETCD,
  'etcd-client': '/usr/bin/etcdctl',
  haproxy: HAPROXY,
  'rabbitmq-server': `${RABBIT_BIN}/rabbitmq-server`,
};

export interface PackageHost {
  exists(path: string): boolean;
  isRoot: boolean;
  /** Runs apt-get with these arguments; throws when it fails. */
  aptGet(args: string[]): void;
}

const thisMachine: PackageHost = {
  exists: existsSync,
  isRoot: process.getuid?.() === 0,
  aptGet: (args) => execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }),
};

/** A missing package that we may not install: the message is the command to run. */
export class MissingPackagesError extends Error {
  override readonly name = 'MissingPackagesError';
}

export const missingPackages = (host: Pick<PackageHost, 'exists'> = thisMachine) =>
  Object.entries(CLUSTER_PACKAGES).filter(([, path]) => !host.exists(path)).map(([pkg]) => pkg);

/**
 * Before `up` starts anything: as root, installs the missing packages; otherwise throws with the
 * one apt-get command to run. Says what it installs, since that takes a minute.
 */
export function ensureClusterPackages(say: (line: string) => void, host: PackageHost = thisMachine): void {
  const missing = missingPackages(host);
  if (missing.length === 0) return;
  if (!host.isRoot) {
    throw new MissingPackagesError(
      `missing system packages: ${missing.join(' ')}. Install them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
  }
  say(`Installing missing system packages: ${missing.join(' ')}`);
  host.aptGet(['update', '-qq']);
  host.aptGet(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  const still = missingPackages(host);
  if (still.length > 0) throw new MissingPackagesError(`apt-get installed nothing that provides ${still.map((p) => CLUSTER_PACKAGES[p]).join(', ')}`);
}
