import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';
import { REPO_ROOT } from '../support/service-process.js';

/**
 * Issue 10 §3: the README's commands for running against real servers work as written: every
 * variable they use is defined first, the shell parses them, and their SQL creates a role that
 * can log in with the generated password (run here against the harness's PostgreSQL).
 */

const README = readFileSync(`${REPO_ROOT}README.md`, 'utf8');

function bashBlocks(section: string): string[] {
  const start = README.indexOf(`## ${section}`);
  const text = README.slice(start, README.indexOf('\n## ', start + 3));
  return [...text.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const snippet = bashBlocks('Running against real RabbitMQ and PostgreSQL').join('\n');

// A server of our own: the SQL runs as the superuser, over the socket in its private folder.
let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres({ name: 'readme' });
});
afterAll(async () => {
  await server?.stop();
});

describe("the README's real-server commands", () => {
  it('parse as bash', () => {
    expect(snippet).toContain('rabbitmqctl add_user');
    const r = spawnSync('bash', ['-n'], { input: snippet, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('define every variable before they use it', () => {
    const defined = new Set<string>();
    const undefinedUses: string[] = [];
    for (const line of snippet.split('\n').filter((l) => !l.trimStart().startsWith('#'))) {
      for (const [, name] of line.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)) if (!defined.has(name!)) undefinedUses.push(name!);
      for (const [, name] of line.matchAll(/(?:^|export\s+)([A-Z_][A-Z0-9_]*)=/g)) defined.add(name!);
    }
    expect(undefinedUses).toEqual([]);
  });

  it("create a PostgreSQL role that logs in with the generated password, quoted by psql itself", async () => {
    const sql = /echo "(CREATE ROLE[^"]+)"/.exec(snippet)?.[1];
    expect(sql).toBeDefined();
    const name = `readme_${randomBytes(4).toString('hex')}`;
    const password = `pw'with"quotes-${randomBytes(6).toString('hex')}`;
    const socket = join(dirname(server.dataDir), 'sock');
    const psqlArgs = ['-h', socket, '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-v', `pw=${password}`];
    const r = spawnSync('/usr/lib/postgresql/15/bin/psql', psqlArgs, {
      input: sql!.replaceAll('gatehouse', name),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const sqlAs = postgres({ host: '127.0.0.1', port: server.port, user: name, password, database: name, max: 1, onnotice: () => undefined });
    try {
      const [row] = await sqlAs`SELECT current_user AS who`;
      expect(row!.who).toBe(name);
    } finally {
      await sqlAs.end();
    }
  });
});

describe('.env.example', () => {
  it('lists each variable once', () => {
    const names = readFileSync(`${REPO_ROOT}.env.example`, 'utf8').split('\n').flatMap((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? []);
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});
