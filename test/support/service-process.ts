import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TSX = `${REPO_ROOT}node_modules/.bin/tsx`;
/** Node's flag that makes @gatehouse/* packages resolve to their TypeScript sources rather than dist/. */
export const SOURCE_CONDITION = '--conditions=gatehouse-source';

/** A Gatehouse service running as a real child process, with its output captured. */
export interface ServiceProcess {
  pid: number;
  output(): string;
  /** Resolves when the output matches, rejects if the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Signals our child by PID (SIGKILL: its whole group) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Runs `tsx <script>` (on the sources) from the repository root with exactly `env` plus PATH and HOME. */
export function spawnService(script: string, env: Record<string, string>): ServiceProcess {
  return spawnProcess(TSX, [SOURCE_CONDITION, script], env);
}

/** Runs any program from the repository root with exactly `env` plus PATH and HOME. */
export function spawnProcess(command: string, args: string[], env: Record<string, string>): ServiceProcess {
  const child: ChildProcess = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a SIGKILL (which tsx cannot relay) reaches the server too.
    detached: true,
  });
  let text = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // tsx relays catchable signals to the server, so those go to our child alone.
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(sig === 'SIGKILL' ? -child.pid! : child.pid!, sig);
  };
  const cleanup = () => signal('SIGKILL');
  process.once('exit', cleanup);
  void exited.then(() => process.off('exit', cleanup));

  return {
    pid: child.pid!,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => (done(), reject(new Error(`Timed out waiting for ${pattern}:\n${text.slice(-3000)}`))), timeoutMs);
        const onExit = (code: number | null) => (done(), reject(new Error(`Exited (${code}) before ${pattern}:\n${text.slice(-3000)}`)));
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(sig = 'SIGTERM') {
      signal(sig);
      return exited;
    },
  };
}
