import { spawnSync } from 'node:child_process';
import { repoPath } from './compose-project.js';

/**
 * Before any deploy test: the Docker engine (installed and started when missing, reused when one
 * runs), Compose v2 and the base image, all by scripts/ensure-docker.sh, timed.
 */
export default function setup(): void {
  const started = Date.now();
  const r = spawnSync('bash', [repoPath('scripts/ensure-docker.sh')], { stdio: 'inherit', timeout: 15 * 60_000 });
  if (r.status !== 0) throw new Error('scripts/ensure-docker.sh failed (its message is above)');
  console.log(`[deploy] Docker, Compose v2 and the base image ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
