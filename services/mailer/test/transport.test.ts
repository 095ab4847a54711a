import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileTransport } from '../src/transport.js';
import { composeMail } from '../src/templates.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("npm start's file transport", () => {
  it('writes each mail as an .eml only its owner can read, and prints its link', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-mail-'));
    const printed: string[] = [];
    const transport = fileTransport(join(dir, 'mail'), (text) => printed.push(text));
    await transport.verify();
    const mail = composeMail(
      { id: '0b5c7a50-7c2e-4f0e-8f3a-1d2c3b4a5e6f', template: 'password_reset', recipient: 'bo@example.com', data: { token: 'x'.repeat(43), expiresAt: new Date(Date.now() + 60_000).toISOString() } },
      { name: 'Gatehouse', publicUrl: 'http://127.0.0.1:8080', from: 'no-reply@127.0.0.1' },
    );
    await transport.send(mail);
    const file = join(dir, 'mail', '0b5c7a50-7c2e-4f0e-8f3a-1d2c3b4a5e6f.eml');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const eml = await readFile(file, 'utf8');
    expect(eml).toMatch(/^To: bo@example\.com$/m);
    expect(eml).toMatch(/^Subject: Reset your Gatehouse password$/m);
    expect(printed.join('')).toContain(mail.link);
  });
});
