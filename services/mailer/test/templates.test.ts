import { describe, expect, it } from 'vitest';
import { composeMail } from '../src/templates.js';

const site = { name: 'Example <Accounts>', publicUrl: 'https://login.example.com', from: 'no-reply@example.com' };
const token = 'T'.repeat(43);
const mail = (data: Record<string, unknown>, template = 'password_reset') => ({ id: '2d7f0c4e-5a36-4b55-9a3e-6f1c2b7d8e90', template, recipient: 'ann@example.com', data });

describe('the password reset mail', () => {
  it('names the site and the address, carries the one link, and says how long it works', () => {
    const composed = composeMail(mail({ token, expiresAt: new Date(Date.now() + 30 * 60_000 + 5000).toISOString() }), site);
    expect(composed.to).toBe('ann@example.com');
    expect(composed.subject).toBe('Reset your Example <Accounts> password');
    expect(composed.link).toBe(`https://login.example.com/reset-password?token=${token}`);
    expect(composed.text).toContain('ann@example.com');
    expect(composed.text).toContain('within 30 minutes');
    expect(composed.text.split(token)).toHaveLength(2); // the token appears once: in the link
    expect(composed.messageId).toBe('<2d7f0c4e-5a36-4b55-9a3e-6f1c2b7d8e90@login.example.com>');
  });

  it('escapes everything it puts into the HTML part', () => {
    const composed = composeMail(mail({ token, expiresAt: new Date(Date.now() + 60_000).toISOString() }), site);
    expect(composed.html).toContain('Example &#60;Accounts&#62;');
    expect(composed.html).not.toContain('<Accounts>');
    expect(composed.html).toContain(`<a href="https://login.example.com/reset-password?token=${token}">`);
  });

  it('refuses an unknown template, and data without a token', () => {
    expect(() => composeMail(mail({ token }, 'welcome'), site)).toThrow(/No template named welcome/);
    expect(() => composeMail(mail({ expiresAt: new Date().toISOString() }), site)).toThrow(/no token/);
  });
});

describe('the address mails', () => {
  const day = () => new Date(Date.now() + 24 * 3600_000 + 5000).toISOString();

  it('sends the verification link to the account, saying how long it works', () => {
    const composed = composeMail(mail({ token, expiresAt: day() }, 'email_verification'), site);
    expect(composed.subject).toBe('Confirm your email address for Example <Accounts>');
    expect(composed.link).toBe(`https://login.example.com/verify-email?token=${token}`);
    expect(composed.text).toContain('within 24 hours');
    expect(composed.text.split(token)).toHaveLength(2);
  });

  it('sends a change-of-address link to the new address, and the old one a notice without any token', () => {
    const link = composeMail(mail({ token, expiresAt: day() }, 'email_change'), site);
    expect(link.link).toBe(`https://login.example.com/confirm-email-change?token=${token}`);
    const notice = composeMail(mail({ newEmail: 'b•••@example.org' }, 'email_changed'), site);
    expect(notice.text).toContain('now uses b•••@example.org');
    expect(notice.text).toContain('ann@example.com');
    expect(notice.link).toBe('https://login.example.com/login');
    expect(() => composeMail(mail({}, 'email_changed'), site)).toThrow(/no newEmail/);
  });

  it('is not fooled by a template named after an Object property', () => {
    expect(() => composeMail(mail({ token }, 'constructor'), site)).toThrow(/No template named constructor/);
  });
});
