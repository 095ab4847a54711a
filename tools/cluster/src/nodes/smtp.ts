import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { mailFolder } from '../mail/mailbox.js';
import { logFile, REPO_ROOT, type NodeSpec } from '../plan.js';
import { spawnDetached, waitUntil } from '../processes.js';
import { HOST, type ClusterContext, type NodeDriver } from './context.js';
import { singleProcess } from './simple-process.js';

const SCRIPT = fileURLToPath(new URL('../mail/smtp-catcher-main.ts', import.meta.url));

/** Resolves true once something accepts TCP connections on the port. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The SMTP catcher (mail/smtp-catcher-main.ts): where the Mailers send, keeping every mail as a file. */
export const smtp: NodeDriver = {
  async start(ctx: ClusterContext, node: NodeSpec) {
    const log = logFile(ctx.plan, node.name);
    const port = ctx.plan.ports.smtp;
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' };
    const record = spawnDetached(process.execPath, ['--import', 'tsx', SCRIPT, String(port), mailFolder(ctx.plan)], { env, cwd: REPO_ROOT, logFile: log });
    ctx.processes.set(node.name, record);
    await waitUntil('the SMTP catcher did not start', () => acceptsConnections(port), { timeoutMs: 20_000, process: record, logFile: log });
  },
  ...singleProcess,
};
