import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../src/http-request.js';

let server: Server;
let base: string;
let seen: { method?: string; authorization?: string; contentType?: string; body: string }[] = [];

const read = async (req: IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
};

beforeAll(async () => {
  server = createServer(async (req, res) => {
    seen.push({ method: req.method, authorization: req.headers.authorization, contentType: req.headers['content-type'], body: await read(req) });
    if (req.url === '/json') res.end('{"ok":true}');
    else if (req.url === '/text') res.end('not json');
    else if (req.url === '/slow') setTimeout(() => res.end(), 2000);
    else res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('httpRequest', () => {
  it('parses a JSON answer, keeps text that is not JSON, and gives undefined for an empty one', async () => {
    expect(await httpRequest(`${base}/json`)).toEqual({ status: 200, body: { ok: true } });
    expect(await httpRequest(`${base}/text`)).toEqual({ status: 200, body: 'not json' });
    expect(await httpRequest(`${base}/empty`)).toEqual({ status: 204, body: undefined });
  });

  it('sends Basic auth and a JSON body only when given', async () => {
    seen = [];
    await httpRequest(`${base}/empty`, { method: 'PUT', body: { tags: '' }, auth: ['admin', 'p:w'] });
    await httpRequest(`${base}/empty`);
    expect(seen).toEqual([
      { method: 'PUT', authorization: `Basic ${Buffer.from('admin:p:w').toString('base64')}`, contentType: 'application/json', body: '{"tags":""}' },
      { method: 'GET', authorization: undefined, contentType: undefined, body: '' },
    ]);
  });

  it('gives up after its timeout', async () => {
    await expect(httpRequest(`${base}/slow`, { timeoutMs: 100 })).rejects.toThrow(/timeout|aborted/i);
  });
});
