import { execFileSync } from 'node:child_process';
import { chown } from 'node:fs/promises';

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root we run it as `postgres`; otherwise as ourselves. */
export function asPostgresUser(command: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [command, args];
  return ['/usr/bin/setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]];
}

let ids: { uid: number; gid: number } | undefined;

/** Gives the paths to the user PostgreSQL runs as (nothing to do when that is us). */
export async function ownForPostgres(...paths: string[]): Promise<void> {
  if (!isRoot()) return;
  ids ??= {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
  for (const path of paths) await chown(path, ids.uid, ids.gid);
}
