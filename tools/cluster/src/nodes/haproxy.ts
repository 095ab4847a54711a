import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { answers } from '../http.js';
import { logFile, nodeDir, type NodeSpec } from '../plan.js';
import { spawnDetached, waitUntil } from '../processes.js';
import { HOST, type ClusterContext, type NodeDriver } from './context.js';
import { haproxyConfig } from './haproxy-config.js';
import { singleProcess } from './simple-process.js';

export const HAPROXY = '/usr/sbin/haproxy';

/** One HAProxy in the foreground: database ports, the app's port and the stats page. */
export const haproxy: NodeDriver = {
  async start(ctx: ClusterContext, node: NodeSpec) {
    const dir = nodeDir(ctx.plan, node.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const config = join(dir, 'haproxy.cfg');
    await writeFile(config, haproxyConfig(ctx.plan, ctx.secrets), { mode: 0o600 });
    await promisify(execFile)(HAPROXY, ['-c', '-q', '-f', config]);
    const log = logFile(ctx.plan, node.name);
    const record = spawnDetached(HAPROXY, ['-f', config], { env: { PATH: '/usr/bin:/bin' }, cwd: dir, logFile: log });
    ctx.processes.set(node.name, record);
    const stats = `http://${HOST}:${ctx.plan.ports.stats}/`;
    await waitUntil('haproxy did not start', () => answers(stats, 200, { auth: ['admin', ctx.secrets.haproxyStats] }), {
      timeoutMs: 20_000,
      process: record,
      logFile: log,
    });
  },
  ...singleProcess,
};
