import { checkJsonSafety } from './json-safety';

describe('checkJsonSafety', () => {
  it('accepts ordinary JSON in any script, with emoji and combining marks', () => {
    expect(checkJsonSafety({ name: 'Ōtautahi Whānau Trust 🌿', note: 'e\u0301 שותפות 社区', list: [1, true, null, 'tab\tand\nnewline'] })).toBeNull();
  });

  it.each([
    ['a NUL character', { a: 'x\u0000y' }, 'a', 'text'],
    ['a C0 control character', { a: { b: 'bell\u0007' } }, 'a.b', 'text'],
    ['DEL', { a: ['\u007f'] }, 'a[0]', 'text'],
    ['a lone high surrogate', { a: 'x\uD800' }, 'a', 'text'],
    ['a lone low surrogate', { a: '\uDC00x' }, 'a', 'text'],
    ['a control character in a property name', { 'k\u0001': 1 }, 'k\u0001', 'text'],
  ])('refuses %s, naming the path', (_label, value, path, kind) => {
    expect(checkJsonSafety(value)).toMatchObject({ path, kind });
  });

  it('accepts a well-formed surrogate pair', () => {
    expect(checkJsonSafety({ a: '\uD83C\uDF3F' })).toBeNull();
  });

  it('bounds nesting, array length, object size and string length', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(checkJsonSafety(deep)).toMatchObject({ kind: 'shape', reason: expect.stringContaining('nesting') });
    expect(checkJsonSafety({ a: Array(1_001).fill(0) })).toMatchObject({ path: 'a', kind: 'shape' });
    expect(checkJsonSafety(Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i])))).toMatchObject({ kind: 'shape' });
    expect(checkJsonSafety({ s: 'x'.repeat(20_001) })).toMatchObject({ path: 's', kind: 'shape' });
    expect(checkJsonSafety({ s: 'x'.repeat(20_000) })).toBeNull();
  });
});
