// Types for cpu-quota.cjs, which the TypeScript sources import (hash-limiter.ts).
export declare const CGROUP_ROOT: string;
export declare function cgroupCpuLimit(root?: string): number | undefined;
export declare function defaultHashConcurrency(root?: string, cpus?: number): number;
