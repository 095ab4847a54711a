import { describe, expect, it } from 'vitest';
import {
  checkNewPassword,
  checkPasswordLength,
  codePointLength,
  isCommonPassword,
  MAX_RAW_PASSWORD_LENGTH,
  PasswordErrors,
} from '../src/passwords/password-policy.js';

describe('checkPasswordLength', () => {
  it('normalises with NFKC and counts code points', () => {
    expect(checkPasswordLength('Ｐａｓｓ　ｗｏｒｄ')).toEqual({ ok: true, password: 'Pass word' });
    expect(codePointLength('🔑🔑')).toBe(2);
    expect(checkPasswordLength('🔑'.repeat(128))).toMatchObject({ ok: true });
    expect(checkPasswordLength('🔑'.repeat(129))).toEqual({ ok: false, error: PasswordErrors.tooLong });
  });

  it('measures after normalisation: a character that expands can push a password over 128', () => {
    // U+FDFA, one code point, normalises to 18.
    expect(checkPasswordLength('\ufdfa'.repeat(8))).toEqual({ ok: false, error: PasswordErrors.tooLong });
  });

  it('refuses raw input over the cap before normalising it', () => {
    expect(checkPasswordLength('a'.repeat(MAX_RAW_PASSWORD_LENGTH + 1))).toEqual({ ok: false, error: PasswordErrors.tooLong });
  });

  it('requires a password', () => {
    expect(checkPasswordLength('')).toEqual({ ok: false, error: PasswordErrors.required });
  });
});

describe('checkNewPassword', () => {
  it('accepts a long, uncommon password unrelated to the email', () => {
    expect(checkNewPassword('violet tractor singing', 'ada@example.com')).toBeUndefined();
  });

  it('needs 8 characters', () => {
    expect(checkNewPassword('a1b2c3d', undefined)).toBe(PasswordErrors.tooShort);
    expect(checkNewPassword('zq8!vk3m', undefined)).toBeUndefined();
  });

  it('refuses the 10,000 most common passwords, in any case, and nothing past them', () => {
    for (const common of ['password', '12345678', 'iloveyou', 'trustno1', 'Football', 'QWERTYUIOP']) {
      expect(checkNewPassword(common, undefined)).toBe(PasswordErrors.common);
    }
    expect(isCommonPassword('sunshine1')).toBe(true);
    expect(isCommonPassword('violet tractor singing')).toBe(false);
  });

  it('refuses the email itself and its local part (3 characters or more), case-insensitively', () => {
    expect(checkNewPassword('Grace@Example.com', 'grace@example.com')).toBe(PasswordErrors.isEmail);
    expect(checkNewPassword('xxGRACExx-2024', 'grace@example.com')).toBe(PasswordErrors.containsEmail);
    expect(checkNewPassword('tom-and-jerry-forever', 'tom@example.com')).toBe(PasswordErrors.containsEmail);
    expect(checkNewPassword('wally went walking', 'al@example.com')).toBeUndefined();
    expect(checkNewPassword('al@example.com', 'al@example.com')).toBe(PasswordErrors.isEmail);
  });
});
