import { describe, expect, it } from 'vitest';
import { argon2CostProblem, MAX_ARGON2_COST, parseArgon2Phc, parseRequest } from '../src/index.js';

const SALT_AND_HASH = 'c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo';
const phc = (params: string) => `$argon2id$v=19$${params}$${SALT_AND_HASH}`;
const register = (hash: string) => parseRequest(JSON.stringify({ action: 'REGISTER', data: { email: 'a@b.io', hash } }));
const updateHash = (hash: string) => parseRequest(JSON.stringify({ action: 'UPDATE_HASH', data: { email: 'a@b.io', hash } }));

describe('parseArgon2Phc', () => {
  it('reads the algorithm, version and cost', () => {
    expect(parseArgon2Phc(phc('m=19456,t=2,p=1'))).toEqual({ algorithm: 'argon2id', version: 19, memoryKib: 19456, timeCost: 2, parallelism: 1 });
    expect(parseArgon2Phc(`$argon2i$m=4096,t=3,p=1$${SALT_AND_HASH}`)).toMatchObject({ algorithm: 'argon2i', version: 16 });
  });

  it('accepts only the strict form, so argon2 never sees a cost we did not read', () => {
    for (const bad of [phc('t=2,m=19456,p=1'), phc('m=19456,t=2,p=1,keyid=x'), phc('m=99999999999,t=2,p=1'), '$argon2id$x', 'h', `${phc('m=1,t=1,p=1')}$`]) {
      expect(parseArgon2Phc(bad), bad).toBeUndefined();
    }
  });
});

describe('argon2CostProblem', () => {
  it('allows up to OWASP ×4 and names every parameter above it', () => {
    expect(MAX_ARGON2_COST).toEqual({ memoryKib: 77824, timeCost: 8, parallelism: 4 });
    expect(argon2CostProblem({ memoryKib: 77824, timeCost: 8, parallelism: 4 })).toBeUndefined();
    expect(argon2CostProblem({ memoryKib: 4194304, timeCost: 3000, parallelism: 1 })).toBe('m=4194304 is above 77824, t=3000 is above 8');
    expect(argon2CostProblem({ memoryKib: 1, timeCost: 1, parallelism: 2 }, { memoryKib: 1, timeCost: 1, parallelism: 1 })).toBe('p=2 is above 1');
  });
});

describe('REGISTER and UPDATE_HASH refuse costly hashes', () => {
  it('refuses an argon2 hash above the ceiling, or one that does not parse', () => {
    for (const parse of [register, updateHash]) {
      expect(parse(phc('m=4194304,t=2,p=1'))).toEqual({ ok: false, reply: { success: false, message: 'data.hash: hash costs too much to verify (m=4194304 is above 77824)' } });
      expect(parse(phc('m=19456,t=3000,p=1'))).toMatchObject({ ok: false });
      expect(parse(phc('t=3000,m=19456,p=1'))).toEqual({ ok: false, reply: { success: false, message: 'data.hash: hash is not a well-formed argon2 PHC string' } });
    }
  });

  it('accepts normal hashes and the textbook clients’ opaque ones', () => {
    expect(register(phc('m=19456,t=2,p=1'))).toMatchObject({ ok: true });
    expect(updateHash(phc('m=65536,t=3,p=4'))).toMatchObject({ ok: true });
    expect(register('the-hash')).toMatchObject({ ok: true });
  });
});
