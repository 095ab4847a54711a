import { inject } from 'vitest';
import { connectDatabase, migrate } from '@gatehouse/database';
import { createTestDatabase } from '../harness/postgres.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** A fresh, migrated test database, reachable directly and through a relay that can freeze or drop connections. */
export interface RelayedDatabase {
  directUrl: string;
  proxiedUrl: string;
  proxy: TcpProxy;
}

export async function relayedDatabase(): Promise<RelayedDatabase> {
  const directUrl = await createTestDatabase(inject('postgresUrl'));
  const proxy = await startTcpProxy(Number(new URL(directUrl).port));
  const url = new URL(directUrl);
  url.port = String(proxy.port);
  const direct = connectDatabase({ url: directUrl });
  try {
    await migrate(direct.readWrite);
  } finally {
    await direct.close();
  }
  return { directUrl, proxiedUrl: url.toString(), proxy };
}
