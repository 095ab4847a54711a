import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroupCpuLimit, defaultHashConcurrency } from '../bin/cpu-quota.cjs';

// Fake cgroup mounts: folders holding the files the kernel would show a container.
const folders: string[] = [];
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function cgroup(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-cgroup-'));
  folders.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  }
  return root;
}

describe('the CPU limit read from the cgroup (v2: cpu.max)', () => {
  it('is the quota over the period', () => {
    expect(cgroupCpuLimit(cgroup({ 'cpu.max': '100000 100000' }))).toBe(1);
    expect(cgroupCpuLimit(cgroup({ 'cpu.max': '150000 100000' }))).toBe(1.5);
    expect(cgroupCpuLimit(cgroup({ 'cpu.max': '50000 100000' }))).toBe(0.5);
  });

  it('is none for "max" and for text it cannot read', () => {
    expect(cgroupCpuLimit(cgroup({ 'cpu.max': 'max 100000' }))).toBeUndefined();
    expect(cgroupCpuLimit(cgroup({ 'cpu.max': 'lots' }))).toBeUndefined();
    expect(cgroupCpuLimit(cgroup({ 'cpu.max': '' }))).toBeUndefined();
  });
});

describe('the CPU limit read from the cgroup (v1: cpu.cfs_quota_us and cpu.cfs_period_us)', () => {
  it('is the quota over the period, under cpu/ or cpu,cpuacct/', () => {
    expect(cgroupCpuLimit(cgroup({ 'cpu/cpu.cfs_quota_us': '200000', 'cpu/cpu.cfs_period_us': '100000' }))).toBe(2);
    expect(cgroupCpuLimit(cgroup({ 'cpu,cpuacct/cpu.cfs_quota_us': '100000', 'cpu,cpuacct/cpu.cfs_period_us': '100000' }))).toBe(1);
  });

  it('is none for a quota of -1 (unlimited) or a missing period', () => {
    expect(cgroupCpuLimit(cgroup({ 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' }))).toBeUndefined();
    expect(cgroupCpuLimit(cgroup({ 'cpu/cpu.cfs_quota_us': '100000' }))).toBeUndefined();
  });
});

describe('missing files', () => {
  it('mean no limit: an empty folder, a folder that does not exist', () => {
    expect(cgroupCpuLimit(cgroup({}))).toBeUndefined();
    expect(cgroupCpuLimit(join(tmpdir(), 'gatehouse-no-such-cgroup'))).toBeUndefined();
    // A v2 host's root cgroup has controllers but no cpu.max.
    expect(cgroupCpuLimit(cgroup({ 'cgroup.controllers': 'cpu memory pids' }))).toBeUndefined();
  });
});

describe('the default hashing concurrency', () => {
  it('follows the CPU limit, not the 16 cores the node has', () => {
    expect(defaultHashConcurrency(cgroup({ 'cpu.max': '100000 100000' }), 16)).toBe(1);
    expect(defaultHashConcurrency(cgroup({ 'cpu/cpu.cfs_quota_us': '400000', 'cpu/cpu.cfs_period_us': '100000' }), 16)).toBe(4);
  });

  it('rounds a fractional limit down, but runs at least one hash', () => {
    expect(defaultHashConcurrency(cgroup({ 'cpu.max': '250000 100000' }), 16)).toBe(2);
    expect(defaultHashConcurrency(cgroup({ 'cpu.max': '50000 100000' }), 16)).toBe(1);
  });

  it('is the cores when there is no limit, or when the limit is above them', () => {
    expect(defaultHashConcurrency(cgroup({ 'cpu.max': 'max 100000' }), 16)).toBe(16);
    expect(defaultHashConcurrency(cgroup({}), 3)).toBe(3);
    expect(defaultHashConcurrency(cgroup({ 'cpu.max': '800000 100000' }), 2)).toBe(2);
  });
});
