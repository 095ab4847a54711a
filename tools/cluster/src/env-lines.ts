import { ownSettings } from './nodes/app.js';
import type { ClusterContext } from './nodes/index.js';
import { findNode } from './plan.js';

export const ENV_TARGETS = ['front-end', 'back-end', 'admin'] as const;
export type EnvTarget = (typeof ENV_TARGETS)[number];

/** Each node's own port: a tier started by hand picks its own (or, for a Back End, none). */
const PER_NODE = ['PORT', 'HEALTH_PORT'];

/**
 * The environment to start one more Front End or Back End against the cluster, as the cluster
 * starts its own (every broker node, both database ports, the shared secrets and the settings
 * passed through at `up`), or, for admin, what `npm run status` reads.
 */
export function envFor(ctx: ClusterContext, target: EnvTarget): Record<string, string> {
  if (target === 'admin') return { ADMIN_TOKEN: ctx.secrets.adminToken, GATEHOUSE_URL: `http://127.0.0.1:${ctx.plan.ports.app}/` };
  const own = ownSettings(ctx, findNode(`${target}1`)!);
  return Object.fromEntries(Object.entries({ ...ctx.settings, ...own }).filter(([name]) => !PER_NODE.includes(name)));
}

/** `export NAME='value'` lines for a POSIX shell; a ' inside a value is closed, escaped and reopened. */
export function exportLines(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", `'\\''`)}'`)
    .join('\n');
}
