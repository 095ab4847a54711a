import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patroniCluster } from '../src/status/patroni.js';

// A stand-in for Patroni's REST API: GET /cluster as Patroni 3 answers it.
const CLUSTER = {
  members: [
    { name: 'pg1', role: 'leader', state: 'running', host: '10.0.0.1', port: 5432, timeline: 3 },
    { name: 'pg2', role: 'sync_standby', state: 'streaming', host: '10.0.0.2', port: 5432, lag: 0 },
    { name: 'pg3', role: 'replica', state: 'streaming', host: '10.0.0.3', port: 5432, lag: 'unknown' },
  ],
};
/** GET /history: the timeline switches, the last one with its new leader (Patroni 2.1 and later). */
const HISTORY = [
  [1, 25623960, 'no recovery target specified', '2026-12-06T21:40:05.123+00:00'],
  [2, 50331808, 'no recovery target specified', '2026-12-06T22:58:57.654+01:00', 'pg1'],
];
let server: Server;
let history = true;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/cluster') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(CLUSTER));
    else if (req.url === '/history' && history) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(HISTORY));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Patroni\'s view of the database', () => {
  it('names the leader as primary and gives each standby its lag in bytes (null when Patroni does not know)', async () => {
    history = false;
    expect(await patroniCluster([url])).toEqual({
      primary: 'pg1',
      nodes: [
        { name: 'pg1', role: 'primary', state: 'running', host: '10.0.0.1:5432' },
        { name: 'pg2', role: 'standby', state: 'streaming', host: '10.0.0.2:5432', lagBytes: 0 },
        { name: 'pg3', role: 'standby', state: 'streaming', host: '10.0.0.3:5432', lagBytes: null },
      ],
    });
  });

  it('lists the promotions from the timeline history, in UTC, with the new leader when Patroni names it', async () => {
    history = true;
    expect((await patroniCluster([url])).promotions).toEqual([
      { at: '2026-12-06T21:40:05.123Z', timeline: 2 },
      { at: '2026-12-06T21:58:57.654Z', timeline: 3, node: 'pg1' },
    ]);
  });

  it('asks the next REST API when one does not answer', async () => {
    expect((await patroniCluster(['http://127.0.0.1:1', url])).primary).toBe('pg1');
  });

  it('says which APIs failed when none answers', async () => {
    await expect(patroniCluster(['http://127.0.0.1:1', `${url}/nowhere`])).rejects.toThrow(/no Patroni REST API answered \(127\.0\.0\.1:1: .*; 127\.0\.0\.1:\d+: HTTP 404\)/);
  });
});
