'use strict';
// CommonJS, like threadpool.cjs that needs it before any ES module loads; the config module's
// default (src/passwords/hash-limiter.ts) imports the same function, so both agree.
// Synchronous reads on purpose: they run on the main thread, not in libuv's threadpool, so they
// do not start the pool before threadpool.cjs has sized it.
const { readFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');

/** Where the container's own cgroup is mounted (Docker, containerd and CRI-O give it a private root). */
const CGROUP_ROOT = '/sys/fs/cgroup';

function read(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A quota ÷ period in cores, or undefined for "no limit" and anything unreadable. */
function cores(quota, period) {
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && Number.isFinite(p) && q > 0 && p > 0 ? q / p : undefined;
}

/**
 * The CPU limit of the cgroup mounted at `root`, in cores (1.5 for --cpus=1.5), or undefined when
 * there is none. cgroup v2: cpu.max, "<quota> <period>" or "max <period>". cgroup v1: the cpu
 * controller's cpu.cfs_quota_us (-1: none) and cpu.cfs_period_us. Outside a container the root
 * cgroup has no limit files (v2) or an unlimited quota (v1), so the host's cores count.
 */
function cgroupCpuLimit(root = CGROUP_ROOT) {
  const max = read(join(root, 'cpu.max'));
  if (max !== undefined) {
    const [quota, period] = max.split(/\s+/);
    return quota === 'max' ? undefined : cores(quota, period);
  }
  for (const controller of ['cpu', 'cpu,cpuacct']) {
    const quota = read(join(root, controller, 'cpu.cfs_quota_us'));
    if (quota !== undefined) return cores(quota, read(join(root, controller, 'cpu.cfs_period_us')));
  }
  return undefined;
}

/**
 * How many argon2 runs at once by default: one per core the process may use. availableParallelism()
 * reads the CPU affinity mask, which a CPU limit does not change, so a 1-CPU pod on a 16-core node
 * would run 16 hashes of 19 MiB each and be OOM-killed in a burst. A fractional quota rounds down
 * (at least 1): the part left over serves the event loop's own work.
 */
function defaultHashConcurrency(root = CGROUP_ROOT, cpus = availableParallelism()) {
  const limit = cgroupCpuLimit(root);
  return limit === undefined ? cpus : Math.max(1, Math.min(cpus, Math.floor(limit)));
}

module.exports = { cgroupCpuLimit, defaultHashConcurrency, CGROUP_ROOT };
