import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finalStage, isIgnored, parseDockerfile, type Dockerfile, type Instruction, type Stage } from '../support/dockerfile.js';
import { REPO_ROOT } from '../support/service-process.js';

// Every Dockerfile in the repository, checked statically (test/deploy-live builds and runs them):
// one pinned base, a non-root user, an init as PID 1, a health check, no secrets, and COPY sources
// that exist in the build context.
const SKIP = new Set(['node_modules', '.git', 'dist', 'data', '.tmp']);

function findDockerfiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : findDockerfiles(join(dir, entry.name));
    return /^Dockerfile(\..+)?$/.test(entry.name) ? [relative(REPO_ROOT, join(dir, entry.name))] : [];
  });
}

/** The one base every image starts from: scripts/build-base-image.sh makes it where no registry answers. */
const BASE_IMAGE = /^IMAGE=\$\{GATEHOUSE_BASE_IMAGE:-([^}]+)\}$/m.exec(readFileSync(join(REPO_ROOT, 'scripts/build-base-image.sh'), 'utf8'))![1]!;

const SECRET_NAME = /PASSWORD|SECRET|TOKEN/i;
const dockerfiles = findDockerfiles(REPO_ROOT);
const workspaceDirs = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces.flatMap((glob) =>
  readdirSync(join(REPO_ROOT, glob.replace('/*', ''))).map((name) => `${glob.replace('/*', '')}/${name}`),
);
const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
const dirOf = Object.fromEntries(workspaceDirs.map((dir) => [manifest(dir).name, dir]));

/** The context of `docker build`, from the Dockerfile's "# Build: docker build [-f file] -t tag context" line. */
function buildContext(file: string, dockerfile: Dockerfile): string {
  const command = dockerfile.comments.map((c) => /^Build: (docker build .+)$/.exec(c)?.[1]).find(Boolean);
  expect(command, `${file} should document its build command ("# Build: docker build ...")`).toBeDefined();
  const words = command!.split(/\s+/);
  const context = words.at(-1)!;
  const named = words.includes('-f') ? words[words.indexOf('-f') + 1]! : join(context, 'Dockerfile');
  expect(resolve(REPO_ROOT, named), `${file}'s documented build command builds another Dockerfile`).toBe(resolve(REPO_ROOT, file));
  return resolve(REPO_ROOT, context);
}

const instructions = (dockerfile: Dockerfile, keyword: string): Instruction[] =>
  dockerfile.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === keyword);
/** COPY and ADD from the build context: not from another stage or image. */
const contextCopies = (dockerfile: Dockerfile) =>
  [...instructions(dockerfile, 'COPY'), ...instructions(dockerfile, 'ADD')].filter((i) => i.flags.from === undefined);

/** KEY=value pairs of ENV and ARG, including the old `ENV KEY value` form. */
function variables(dockerfile: Dockerfile): Array<{ name: string; value: string | undefined }> {
  return [...instructions(dockerfile, 'ENV'), ...instructions(dockerfile, 'ARG')].flatMap((i) =>
    i.args[0]?.includes('=') || i.keyword === 'ARG'
      ? i.args.map((pair) => ({ name: pair.split('=')[0]!, value: pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : undefined }))
      : [{ name: i.args[0]!, value: i.args.slice(1).join(' ') }],
  );
}

it('finds the Dockerfiles of the Front End, the Back End, the database, messaging and the helpers', () => {
  expect(dockerfiles).toEqual(
    expect.arrayContaining([
      'services/front-end/Dockerfile',
      'services/back-end/Dockerfile',
      'deploy/db/Dockerfile',
      'deploy/messaging/Dockerfile',
      'deploy/haproxy/Dockerfile',
      'deploy/etcd/Dockerfile',
      'deploy/adminer/Dockerfile',
    ]),
  );
  expect(BASE_IMAGE).toBe('debian:trixie-slim');
});

describe.each(dockerfiles)('%s', (file) => {
  const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, file), 'utf8'));
  const stageNames = new Set(dockerfile.stages.flatMap((s) => (s.name ? [s.name] : [])));

  it('starts from the one pinned base, debian:trixie-slim, and installs from Debian only', () => {
    const bases = dockerfile.stages.map((s) => s.image).filter((image) => !stageNames.has(image));
    expect(bases.length).toBeGreaterThan(0);
    for (const image of bases) expect(image).toBe(BASE_IMAGE);
    expect(BASE_IMAGE, `${BASE_IMAGE} is not pinned`).toMatch(/^[^@]+:(?!latest$)[\w][\w.-]*$/);
    // No other package source: no curl | sh, no added apt repository.
    for (const run of instructions(dockerfile, 'RUN')) expect(run.text).not.toMatch(/\b(curl|wget)\b|sources\.list|add-apt-repository/);
  });

  it('runs as a non-root user, with an init as PID 1', () => {
    const last = finalStage(dockerfile);
    const user = last.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args[0];
    expect(user, 'the final stage needs a USER').toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
    // node, python and the shell ignore SIGTERM as PID 1; tini forwards it and reaps orphans.
    const entrypoint = dockerfile.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
    expect(entrypoint?.args.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
  });

  it('has a HEALTHCHECK', () => {
    const checks = finalStage(dockerfile).instructions.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(checks.length).toBe(1);
    expect(checks[0]!.args).toContain('CMD');
  });

  it('holds no secrets: no secret-named ENV or ARG with a value, no .env copied', () => {
    const secrets = variables(dockerfile).filter((v) => SECRET_NAME.test(v.name) && v.value);
    expect(secrets).toEqual([]);
    const sources = contextCopies(dockerfile).flatMap((i) => i.args.slice(0, -1));
    expect(sources.filter((s) => /(^|\/)\.env(\.|$)/.test(s) && !s.endsWith('.example'))).toEqual([]);
  });

  it('copies only files that exist in its build context and that .dockerignore lets in', () => {
    const context = buildContext(file, dockerfile);
    const ignoreFile = join(context, '.dockerignore');
    const ignore = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '';
    const sources = contextCopies(dockerfile).flatMap((i) => i.args.slice(0, -1));
    // An image made from packages alone (etcd, Adminer) has nothing but its Dockerfile in its context.
    if (sources.length === 0) expect(readdirSync(context)).toEqual(['Dockerfile']);
    for (const source of sources) {
      expect(source, 'literal paths only, so this test can check them').not.toMatch(/[*?[]/);
      const path = relative(context, resolve(context, source));
      expect(path.startsWith('..'), `${source} is outside the build context`).toBe(false);
      expect(existsSync(join(context, path)), `${source} does not exist in ${relative(REPO_ROOT, context) || '.'}`).toBe(true);
      if (path) expect(isIgnored(path, ignore), `${source} is excluded by .dockerignore`).toBe(false);
    }
  });
});

// The service images: npm ci and npm run build in one stage, production dependencies in the next,
// and in the image every @gatehouse workspace those link to, or the entry point's imports fail.
describe.each(dockerfiles.filter((f) => /npm ci/.test(readFileSync(join(REPO_ROOT, f), 'utf8'))))('%s (npm workspaces)', (file) => {
  const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, file), 'utf8'));
  const runs = (stage: Stage, command: RegExp) => stage.instructions.some((i) => i.keyword === 'RUN' && command.test(i.text));
  const production = dockerfile.stages.find((s) => runs(s, /\bnpm ci\b.*--omit=dev/))!;

  it('installs production dependencies on top of a stage that built from the whole context', () => {
    expect(production, 'a stage runs npm ci --omit=dev').toBeDefined();
    const build = dockerfile.stages.find((s) => s.name === production.image);
    expect(build, `${production.image} is a stage of this file`).toBeDefined();
    expect(runs(build!, /\bnpm ci\b.*&& npm run build\b/)).toBe(true);
    // npm ci reads every workspace's package.json; the whole context has them all.
    expect(build!.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toContainEqual(['.', '.']);
  });

  it('carries node_modules and exactly the workspaces it links, with the entry point among them', () => {
    const needed = new Set<string>();
    const visit = (dir: string) => {
      if (needed.has(dir)) return;
      needed.add(dir);
      for (const dep of Object.keys(manifest(dir).dependencies ?? {})) if (dirOf[dep]) visit(dirOf[dep]);
    };
    const ci = production.instructions.find((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.text))!;
    for (const [, dir] of ci.text.matchAll(/--workspace[= ](\S+)/g)) visit(dir!);
    const last = finalStage(dockerfile);
    const copied = last.instructions.filter((i) => i.keyword === 'COPY' && i.flags.from === production.name);
    expect(copied.map((i) => [i.args[0], i.args[1]])).toEqual(
      expect.arrayContaining([['/app/node_modules', 'node_modules'], ...[...needed].map((dir) => [`/app/${dir}`, dir])]),
    );
    expect(copied.length).toBe(needed.size + 1);
    const cmd = last.instructions.filter((i) => i.keyword === 'CMD').at(-1)!.args;
    expect(cmd[0]).toBe('node');
    expect(needed.has(dirname(dirname(cmd[1]!))), `${cmd[1]} is not in an installed workspace`).toBe(true);
    expect(existsSync(join(REPO_ROOT, dirname(dirname(cmd[1]!)), 'src', 'main.ts'))).toBe(true);
  });
});

it('.dockerignore keeps secrets, dependencies, builds and history out of the repository context', () => {
  const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');
  for (const path of ['.env', 'services/front-end/.env', 'node_modules', 'packages/protocol/node_modules', '.git', 'services/back-end/dist', 'services/front-end/Dockerfile', 'deploy/db/patroni.yml']) {
    expect(isIgnored(path, ignore), path).toBe(true);
  }
  for (const path of ['package-lock.json', 'services/front-end/views', 'packages/database/migrations/0001_users.sql', '.env.example']) {
    expect(isIgnored(path, ignore), path).toBe(false);
  }
});
