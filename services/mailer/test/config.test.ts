import { describe, expect, it } from 'vitest';
import { loadEmbeddedMailerConfig, loadMailerConfig } from '../src/config.js';

const valid = { AMQP_URL: 'amqp://u:s3cret@127.0.0.1:5672', SMTP_URL: 'smtp://127.0.0.1:2525', PUBLIC_URL: 'https://login.example.com/' };

describe('the Mailer configuration', () => {
  it('applies the defaults, and sends from no-reply at the public host', () => {
    const config = loadMailerConfig(valid);
    expect(config).toMatchObject({ mailQueue: 'mail', requestQueue: 'request', queueMode: 'quorum', concurrency: 4, leaseMs: 60_000 });
    expect(config.site).toEqual({ name: 'Gatehouse', publicUrl: 'https://login.example.com', from: '"Gatehouse" <no-reply@login.example.com>' });
    expect(config.health).toBeUndefined();
  });

  it('serves health and metrics only where HEALTH_PORT says, on loopback unless HEALTH_HOST says otherwise', () => {
    expect(loadMailerConfig({ ...valid, HEALTH_PORT: '9102' }).health).toEqual({ host: '127.0.0.1', port: 9102 });
    expect(loadMailerConfig({ ...valid, HEALTH_PORT: '9102', HEALTH_HOST: '0.0.0.0' }).health).toEqual({ host: '0.0.0.0', port: 9102 });
    expect(() => loadMailerConfig({ ...valid, HEALTH_PORT: 'ninety' })).toThrow(/HEALTH_PORT/);
  });

  it('names every missing or bad setting at once', () => {
    expect(() => loadMailerConfig({})).toThrow(/AMQP_URL[\s\S]*SMTP_URL[\s\S]*PUBLIC_URL/);
    expect(() => loadMailerConfig({ ...valid, SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => loadMailerConfig({ ...valid, PUBLIC_URL: 'login.example.com' })).toThrow(/PUBLIC_URL/);
    expect(() => loadMailerConfig({ ...valid, MAIL_FROM: 'nobody' })).toThrow(/MAIL_FROM: must be an address/);
    expect(() => loadMailerConfig({ ...valid, MAIL_LEASE_SECONDS: '1' })).toThrow(/MAIL_LEASE_SECONDS/);
  });

  it('takes a sender as an address or as a name and <address>', () => {
    expect(loadMailerConfig({ ...valid, MAIL_FROM: 'Accounts <accounts@example.com>' }).site.from).toBe('Accounts <accounts@example.com>');
    expect(loadMailerConfig({ ...valid, MAIL_FROM: 'accounts@example.com' }).site.from).toBe('accounts@example.com');
  });

  it("needs neither a broker, an SMTP server nor a public URL inside npm start (the Front End's address is used)", () => {
    const config = loadEmbeddedMailerConfig({});
    expect(config.smtpUrl).toBeUndefined();
    expect(config.site('http://127.0.0.1:8080').publicUrl).toBe('http://127.0.0.1:8080');
  });
});
