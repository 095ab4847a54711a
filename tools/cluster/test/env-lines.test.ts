import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadBackEndConfig } from '@gatehouse/back-end/config';
import { loadFrontEndConfig } from '@gatehouse/front-end/config';
import { envFor, exportLines } from '../src/env-lines.js';
import { plannedContext } from './planned-context.js';

// No servers: a plan and secrets as the first `up` writes them, and a setting it passed through.
const context = () => plannedContext({ RATE_LIMIT_PER_MINUTE: '500' });

/** What a shell has after eval-ing the lines. */
const evaluated = (lines: string) => {
  const out = execFileSync('/bin/sh', ['-c', `${lines}\nenv`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  return Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
};

describe('npm run cluster -- env', () => {
  it('admin: the admin token and the app URL, as npm run status reads them', async () => {
    const ctx = await context();
    expect(evaluated(exportLines(envFor(ctx, 'admin')))).toMatchObject({ ADMIN_TOKEN: ctx.secrets.adminToken, GATEHOUSE_URL: `http://127.0.0.1:${ctx.plan.ports.app}/` });
  });

  it('back-end: every broker node, both database ports and the settings passed through, which a Back End accepts', async () => {
    const ctx = await context();
    const env = evaluated(exportLines(envFor(ctx, 'back-end')));
    expect(env.AMQP_URL!.split(',')).toHaveLength(3);
    expect(env.DATABASE_URL).toContain(`:${ctx.plan.ports.dbReadWrite}/`);
    expect(env.DATABASE_READ_URL).toContain(`:${ctx.plan.ports.dbReadOnly}/`);
    expect(env.RATE_LIMIT_PER_MINUTE).toBe('500');
    expect(env).not.toHaveProperty('HEALTH_PORT'); // the cluster's Back Ends hold theirs
    const config = loadBackEndConfig(env);
    expect(config.databaseUrl).toBe(env.DATABASE_URL);
  });

  it('front-end: the shared session secret and admin token, and no port of a running Front End', async () => {
    const ctx = await context();
    const env = evaluated(exportLines(envFor(ctx, 'front-end')));
    expect(env).toMatchObject({ SESSION_SECRET: ctx.secrets.sessionSecret, ADMIN_TOKEN: ctx.secrets.adminToken });
    expect(env).not.toHaveProperty('PORT');
    expect(loadFrontEndConfig(env).adminToken).toBe(ctx.secrets.adminToken);
  });

  it('quotes values for the shell, even one holding a quote', () => {
    expect(evaluated(exportLines({ A: "it's $HOME `x`" })).A).toBe("it's $HOME `x`");
  });
});
