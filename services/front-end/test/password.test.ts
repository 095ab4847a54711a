import { describe, expect, it } from 'vitest';
import { hashPassword, makeDummyHash, needsRehash, OWASP_ARGON2, verifyPassword } from '../src/passwords/password.js';

describe('password hashing', () => {
  it('produces argon2id PHC strings with the OWASP parameters by default, and a fresh salt', async () => {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(first).not.toBe(second);
  });

  it('uses the parameters it is given', async () => {
    expect(await hashPassword('correct horse battery', { memoryKib: 8192, timeCost: 1, parallelism: 2 })).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=2\$/);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    await expect(verifyPassword(hash, 'correct horse battery')).resolves.toBe(true);
    await expect(verifyPassword(hash, 'correct horse battery!')).resolves.toBe(false);
  });

  it('normalises with NFKC on both sides', async () => {
    const hash = await hashPassword('ｆｕｌｌｗｉｄｔｈ　ｐａｓｓ');
    await expect(verifyPassword(hash, 'fullwidth pass')).resolves.toBe(true);
    const ligature = await hashPassword('\ufb01sh and chips'); // "ﬁ"
    await expect(verifyPassword(ligature, 'fish and chips')).resolves.toBe(true);
  });

  it('returns false instead of throwing on a malformed hash', async () => {
    await expect(verifyPassword('not-a-hash', 'whatever1')).resolves.toBe(false);
    await expect(verifyPassword('', 'whatever1')).resolves.toBe(false);
    await expect(verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$broken', 'whatever1')).resolves.toBe(false);
  });

  it('makes a dummy hash at the given parameters that matches nothing typed', async () => {
    const dummy = await makeDummyHash({ memoryKib: 8192, timeCost: 3, parallelism: 1 });
    expect(dummy).toMatch(/^\$argon2id\$v=19\$m=8192,t=3,p=1\$/);
    await expect(verifyPassword(dummy, '')).resolves.toBe(false);
  });
});

describe('needsRehash', () => {
  const hash = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo';

  it('is false when algorithm, version and every parameter match', () => {
    expect(needsRehash(hash, OWASP_ARGON2)).toBe(false);
  });

  it.each([
    ['memory', { ...OWASP_ARGON2, memoryKib: 65536 }],
    ['time cost', { ...OWASP_ARGON2, timeCost: 3 }],
    ['parallelism', { ...OWASP_ARGON2, parallelism: 2 }],
  ])('is true when the %s differs', (_name, params) => {
    expect(needsRehash(hash, params)).toBe(true);
  });

  it.each([
    ['argon2i', '$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'],
    ['argon2d', '$argon2d$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'],
    ['an older argon2 version', '$argon2id$v=16$m=19456,t=2,p=1$c2FsdA$aGFzaA'],
    ['bcrypt', '$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234'],
    ['garbage', 'not a hash'],
  ])('is true for %s', (_name, other) => {
    expect(needsRehash(other, OWASP_ARGON2)).toBe(true);
  });

  it('agrees with a real hash made at the same parameters', async () => {
    const params = { memoryKib: 8192, timeCost: 3, parallelism: 2 };
    expect(needsRehash(await hashPassword('correct horse battery', params), params)).toBe(false);
  });
});
