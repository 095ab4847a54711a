import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdMembers } from '../src/status/etcd.js';
import { haproxyNode, parseHaproxyCsv, summarise } from '../src/status/haproxy.js';

// Stand-ins for two etcd members' JSON gateway and HAProxy's stats page, as they answer (shapes copied from etcd 3.5 and HAProxy 2.6).
const MEMBERS = { members: [{ ID: '11', name: 'etcd1', clientURLs: [] as string[] }, { ID: '22', name: 'etcd2', clientURLs: [] as string[] }] };
const CSV = [
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight',
  'db-rw,FRONTEND,,,0,1,100,3,0,0,0,0,0,,,,,OPEN,',
  'db-rw,pg1,0,0,0,1,,3,0,0,,0,,0,0,0,0,DOWN,1',
  'db-rw,pg2,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1',
  'db-r,pg1,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1',
  'db-r,pg2,0,0,0,1,,3,0,0,,0,,0,0,0,0,DOWN,1',
  'db-r,pg1-primary,0,0,0,1,,3,0,0,,0,,0,0,0,0,DOWN,1',
  'db-r,pg2-primary,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1',
  'front-ends,front-end1,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1',
  'front-ends,front-end2,0,0,0,1,,3,0,0,,0,,0,0,0,0,MAINT,1',
  'front-ends,BACKEND,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1',
].join('\n');

const servers: Server[] = [];
const urls: string[] = [];
let lastAuth: string | undefined;

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  for (const [id, leader] of [['11', '22'], ['22', '22']]) {
    const url = await serve((req, res) => {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      if (req.url === '/v3/maintenance/status') return void res.end(JSON.stringify({ header: { member_id: id }, leader }));
      if (req.url === '/v3/cluster/member/list') return void res.end(JSON.stringify(MEMBERS));
      res.writeHead(404).end();
    });
    urls.push(url);
  }
  urls.push(await serve((req, res) => {
    lastAuth = req.headers.authorization;
    if (req.headers.authorization !== `Basic ${Buffer.from('admin:p@ss/word').toString('base64')}`) return void res.writeHead(401).end();
    if (req.url === '/;csv') return void res.end(CSV);
    res.writeHead(404).end();
  }));
});
afterAll(() => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))));

describe('etcd as /status draws it', () => {
  it('names each member and its role, and one that does not answer by its address', async () => {
    expect(await etcdMembers([urls[0]!, urls[1]!, 'http://127.0.0.1:1'], 500)).toEqual([
      { name: 'etcd1', kind: 'etcd', role: 'member', state: 'running' },
      { name: 'etcd2', kind: 'etcd', role: 'leader', state: 'running' },
      { name: '127.0.0.1:1', kind: 'etcd', role: 'member', state: 'not answering' },
    ]);
  });
});

describe('HAProxy as /status draws it', () => {
  it('reads the stats CSV by its column names', () => {
    expect(parseHaproxyCsv(CSV)[1]).toEqual({ proxy: 'db-rw', server: 'pg1', status: 'DOWN' });
    expect(() => parseHaproxyCsv('<html>login</html>')).toThrow(/not HAProxy stats CSV/);
  });

  it('says where writes and reads go, counting a backup "-primary" server as its node', () => {
    expect(summarise(parseHaproxyCsv(CSV))).toEqual(['writes → pg2', 'reads → pg1, pg2', 'front-ends 1/2 up']);
    expect(summarise(parseHaproxyCsv(CSV.replace('db-rw,pg2,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP', 'db-rw,pg2,0,0,0,1,,3,0,0,,0,,0,0,0,0,DOWN')))[0]).toBe('writes → nobody');
  });

  it('logs in with the credentials in the URL (fetch refuses them there) and says when the page is not reachable', async () => {
    const base = new URL(urls[2]!);
    base.username = 'admin';
    base.password = encodeURIComponent('p@ss/word');
    expect(await haproxyNode(base.toString())).toMatchObject({ kind: 'haproxy', state: 'running', facts: ['writes → pg2', 'reads → pg1, pg2', 'front-ends 1/2 up'] });
    expect(lastAuth).toMatch(/^Basic /);
    expect(await haproxyNode(urls[2]!)).toMatchObject({ state: 'not answering', facts: ['stats page answered HTTP 401'] });
    expect(await haproxyNode('http://127.0.0.1:1/', 500)).toMatchObject({ name: 'haproxy', state: 'not answering' });
  });
});
