import { StreamHeadCache } from './stream-head-cache';

describe('StreamHeadCache', () => {
  it('keeps the highest revision learned per stream', () => {
    const cache = new StreamHeadCache(10);
    cache.learn('s', 3n, 'h3');
    cache.learn('s', 1n, 'h1');
    expect(cache.get('s')).toEqual({ revision: 3n, hash: 'h3' });
    expect(cache.hashAt('s', 3n)).toBe('h3');
    expect(cache.hashAt('s', 1n)).toBeUndefined();
  });

  it('replaces the entry with an observed head, and forgets a stream observed as missing', () => {
    const cache = new StreamHeadCache(10);
    cache.learn('s', 5n, 'h5');
    cache.observeHead('s', 2n, 'h2');
    expect(cache.get('s')).toEqual({ revision: 2n, hash: 'h2' });
    cache.observeHead('s', -1n, '0'.repeat(64));
    expect(cache.get('s')).toBeUndefined();
  });

  it('evicts the least recently used stream beyond its capacity', () => {
    const cache = new StreamHeadCache(2);
    cache.learn('a', 0n, 'a');
    cache.learn('b', 0n, 'b');
    cache.get('a');
    cache.learn('c', 0n, 'c');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });
});
