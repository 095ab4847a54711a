import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadFrontEndConfig } from '../src/config.js';
import { startFrontEnd, type RunningFrontEnd } from '../src/front-end.js';
import { FakeRpc } from './fake-rpc.js';
import { TEST_ENV } from './helpers.js';

// Real listening servers: what app.inject cannot show (TLS, Node's header-size limit).

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request; certificates are not checked (the test's certificate is self-signed). */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** name=value pairs of a response's Set-Cookie lines. */
function cookiesOf(res: Response): string {
  return (res.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
}

const csrfToken = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';

let dir: string;
let running: RunningFrontEnd | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-fe-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(env: Record<string, string> = {}): Promise<RunningFrontEnd> {
  const config = loadFrontEndConfig({ ...TEST_ENV, ...env });
  running = await startFrontEnd({ ...config, port: 0 }, pino({ level: 'silent' }), new FakeRpc());
  return running;
}

describe('HTTPS', () => {
  it('serves TLS itself, with HSTS and __Host- prefixed Secure cookies', async () => {
    const { url } = await start({ TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem') });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const page = await send(`${url}/register`);
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const csrfLine = page.headers['set-cookie']!.find((l) => l.startsWith('__Host-csrf='))!;
    expect(csrfLine).toMatch(/; Secure/);

    const res = await send(`${url}/register`, {
      method: 'POST',
      headers: { 'content-type': FORM, cookie: cookiesOf(page) },
      body: form({ _csrf: csrfToken(page.body), email: 'tls@example.com', password: 'over the wire 443' }),
    });
    expect(res.status).toBe(303);
    const session = res.headers['set-cookie']!.find((l) => l.startsWith('__Host-session='))!;
    expect(session).toMatch(/^__Host-session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(session).not.toMatch(/Domain=/i);

    const secret = await send(`${url}/secret`, { headers: { cookie: session.split(';')[0]! } });
    expect(secret.status).toBe(200);
    expect(secret.body).toContain('tls@example.com');
  });
});

describe('plain HTTP', () => {
  it('sends no HSTS, and unprefixed cookies without Secure', async () => {
    const { url } = await start();
    expect(url).toMatch(/^http:\/\//);
    const page = await send(`${url}/login`);
    expect(page.headers['strict-transport-security']).toBeUndefined();
    expect(page.headers['set-cookie']!.join()).toMatch(/^csrf=/);
    expect(page.headers['set-cookie']!.join()).not.toMatch(/Secure|__Host-/);
  });

  it('refuses a request with two Host headers with 400, and a CONNECT with 405', async () => {
    const { url } = await start();
    const { port } = new URL(url);
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    expect(await raw('GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw('GET / HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
    expect(await raw('CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n')).toMatch(/^HTTP\/1\.1 405 /);
  });

  it('refuses headers over 16 KiB with 431, before any route runs', async () => {
    const { url } = await start();
    const res = await send(`${url}/`, { headers: { 'x-padding': 'x'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect((await send(`${url}/`, { headers: { 'x-padding': 'x'.repeat(8_000) } })).status).toBe(200);
  });

  it('sets the request and connection timeouts on the server', async () => {
    const { app } = await start();
    expect(app.server.requestTimeout).toBe(10_000);
    expect(app.server.headersTimeout).toBe(10_000);
    expect(app.server.timeout).toBe(75_000);
  });
});
