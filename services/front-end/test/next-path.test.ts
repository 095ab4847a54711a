import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../src/pages/next-path.js';

describe('safeNextPath: only local paths, no open redirect', () => {
  it.each([
    ['/secret', '/secret'],
    ['/secret?tab=1', '/secret?tab=1'],
    ['/a/../secret', '/secret'],
    ['/%7Euser', '/%7Euser'],
  ])('keeps the local path %s', (raw, expected) => {
    expect(safeNextPath(raw)).toBe(expected);
  });

  it.each([
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash after the slash', '/\\evil.example'],
    ['a backslash later on', '/secret\\..\\\\evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'secret'],
    ['an empty value', ''],
    ['an encoded second slash', '/%2F%2Fevil.example'],
    ['an encoded second slash in lower case', '/%2fevil.example'],
    ['an encoded backslash', '/%5Cevil.example'],
    ['an encoded first slash', '%2F%2Fevil.example'],
    ['a tab that browsers drop', '/\t/evil.example'],
    ['a newline', '/\n/evil.example'],
    ['a space', '/ /evil.example'],
    ['broken percent-encoding', '/%E0%A4%A'],
    ['a non-ASCII character', '/ſecret'],
    ['a very long path', `/${'a'.repeat(600)}`],
    ['a dot segment that normalises to a second slash', '/.//evil.example'],
    ['a parent segment that normalises to a second slash', '/a/..//evil.example'],
    ['dot segments that normalise to a second slash', '/x/./..//evil.example'],
    ['an encoded dot segment that normalises to a second slash', '/%2e//evil.example'],
  ])('refuses %s', (_name, raw) => {
    expect(safeNextPath(raw)).toBeUndefined();
  });

  it('refuses what is not a single string', () => {
    for (const raw of [undefined, null, 42, ['/secret'], { path: '/secret' }]) expect(safeNextPath(raw)).toBeUndefined();
  });
});
