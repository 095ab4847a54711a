import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The result of one docker command: its exit status and output, never thrown. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>` (asynchronously, so the tests' load keeps running meanwhile). */
export function docker(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 120_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Like docker(), but a non-zero exit throws with the command's output. */
export async function dockerOk(args: string[], opts: Parameters<typeof docker>[1] = {}): Promise<string> {
  const r = await docker(args, opts);
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  return r.stdout;
}

/**
 * The CA bundle npm needs inside image builds on a network with a TLS-inspecting proxy (this
 * machine's). Trusting the system's own bundle again is harmless where no proxy is: the tests
 * always pass it, through the documented override file (deploy/compose/build-ca.yml).
 */
export const EXTRA_CA = process.env.GATEHOUSE_EXTRA_CA ?? '/etc/ssl/certs/ca-certificates.crt';

/** The compose files, with the extra-CA override after them when there is a bundle to hand npm. */
export const withExtraCa = (files: string[], override: string): string[] => (existsSync(EXTRA_CA) ? [...files, override] : files);

/** One compose project: `docker compose -p <name> -f <files...>`, run in the project's clone. */
export class ComposeProject {
  constructor(
    readonly dir: string,
    readonly name: string,
    readonly files: string[],
    /** Extra arguments before the command, such as --env-file. */
    readonly globalArgs: string[] = [],
  ) {}

  run(args: string[], timeoutMs = 120_000): Promise<Run> {
    const files = this.files.flatMap((f) => ['-f', f]);
    const ca: Record<string, string> = existsSync(EXTRA_CA) ? { GATEHOUSE_EXTRA_CA: EXTRA_CA } : {};
    return docker(['compose', '-p', this.name, ...this.globalArgs, ...files, ...args], { cwd: this.dir, env: ca, timeoutMs });
  }

  async ok(args: string[], timeoutMs?: number): Promise<string> {
    const r = await this.run(args, timeoutMs);
    if (r.status !== 0) throw new Error(`docker compose ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-6000)}`);
    return r.stdout;
  }

  /** The container id of a service (its first replica). */
  async container(service: string): Promise<string> {
    const id = (await this.ok(['ps', '-a', '-q', service])).trim().split('\n')[0];
    if (!id) throw new Error(`no container for ${service} in ${this.name}`);
    return id;
  }

  /** `docker inspect` of a service's container, parsed. */
  async inspect(service: string): Promise<ContainerInfo> {
    return (JSON.parse(await dockerOk(['inspect', await this.container(service)])) as ContainerInfo[])[0]!;
  }

  /** Runs a command inside a service's running container. */
  async exec(service: string, command: string[], timeoutMs = 60_000): Promise<Run> {
    return docker(['exec', await this.container(service), ...command], { timeoutMs });
  }

  /** Every container of the project, any state. */
  async containers(): Promise<string[]> {
    return (await this.ok(['ps', '-a', '--format', '{{.Service}}'])).split('\n').filter(Boolean);
  }

  /** Stops and removes everything, volumes too (the end of a test run). */
  async destroy(): Promise<void> {
    await this.run(['down', '-v', '--remove-orphans', '--timeout', '10'], 180_000);
  }

  logs(service?: string): Promise<Run> {
    return this.run(['logs', '--no-color', '--tail', '80', ...(service ? [service] : [])]);
  }
}

/** The parts of `docker inspect` the tests read. */
export interface ContainerInfo {
  Id: string;
  Config: { User: string; Image: string; Entrypoint: string[] | null; Cmd: string[] | null };
  State: { Status: string; Running: boolean; Pid: number; Health?: { Status: string }; StartedAt: string };
  HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; RestartPolicy: { Name: string } };
  RestartCount: number;
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

export const repoPath = (...parts: string[]) => join(import.meta.dirname, '../..', ...parts);
