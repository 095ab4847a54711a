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
