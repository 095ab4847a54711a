import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/free-port.js';
import { spawnService, type ServiceProcess } from './service-process.js';

/** `npm start` (the all-in-one entry point) running in a fresh DATA_DIR, with the URL it printed. */
export interface NpmStart {
  process: ServiceProcess;
  url: string;
  dataDir: string;
  /** SIGTERM, then the data folder goes. */
  stop(): Promise<void>;
}

export async function startNpmStart(entry: string, env: Record<string, string> = {}): Promise<NpmStart> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-embedded-'));
  const process = spawnService(entry, { PORT: String(await freePort()), DATA_DIR: dataDir, ...env });
  await process.waitFor(/Gatehouse is running at http:\/\/\S+/, 120_000);
  const url = /Gatehouse is running at (http:\/\/\S+)/.exec(process.output())![1]!;
  return {
    process,
    url,
    dataDir,
    async stop() {
      await process.stop('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
