import { expect } from 'vitest';
import type { ComposeProject } from './compose-project.js';

/**
 * What issue 18 asks of every image, read from the running container: healthy by the image's
 * own HEALTHCHECK, a non-root user (the process's, not just the Dockerfile's), tini as PID 1,
 * and for the Front and Back Ends a read-only root filesystem with no Linux capabilities.
 */
export async function expectHardenedImage(project: ComposeProject, service: string, opts: { readOnly: boolean }): Promise<void> {
  const info = await project.inspect(service);
  expect(info.State.Health?.Status, `${service}'s health`).toBe('healthy');
  const id = await project.exec(service, ['id', '-u']);
  expect(id.status, id.stderr).toBe(0);
  expect(Number(id.stdout.trim()), `${service} runs as uid ${id.stdout.trim()}`).toBeGreaterThan(0);
  const pid1 = await project.exec(service, ['cat', '/proc/1/comm']);
  expect(pid1.stdout.trim(), `${service}'s PID 1`).toBe('tini');
  if (opts.readOnly) {
    expect(info.HostConfig.ReadonlyRootfs, `${service} read-only`).toBe(true);
    expect(info.HostConfig.CapDrop, `${service} capabilities`).toEqual(['ALL']);
    // Proved by trying: not even /tmp or the app's own folder takes a file.
    for (const path of ['/app/probe', '/tmp/probe']) {
      const write = await project.exec(service, ['node', '-e', `require('fs').writeFileSync('${path}', 'x')`]);
      expect(write.status, `${service} wrote ${path}`).not.toBe(0);
      expect(write.stderr).toMatch(/EROFS|read-only/i);
    }
    const caps = await project.exec(service, ['grep', '^CapEff', '/proc/1/status']);
    expect(caps.stdout.trim()).toMatch(/^CapEff:\s+0+$/);
  }
}

/**
 * From inside a service's container, a TCP connection to host:port with node (in the Front and
 * Back End images): "connected", or "error <code>" (ENOTFOUND: the name does not even resolve).
 */
export async function tcpProbe(project: ComposeProject, service: string, host: string, port: number): Promise<string> {
  const script = `const s = require('net').connect({ host: '${host}', port: ${port}, timeout: 5000 });
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('timeout', () => { console.log('error ETIMEDOUT'); s.destroy(); });
s.on('error', (e) => console.log('error ' + e.code));`;
  const r = await project.exec(service, ['node', '-e', script]);
  return r.stdout.trim();
}
