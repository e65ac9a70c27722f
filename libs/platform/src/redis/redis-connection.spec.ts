import { redactUrl, RedisUnavailableError, REDIS_START_HINT, workerRedisOptions } from './redis-connection';

describe('redactUrl', () => {
  it.each([
    ['redis://:s3cret@cache:6379', 'redis://:***@cache:6379'],
    ['redis://default:s3cret@cache:6379/2', 'redis://default:***@cache:6379/2'],
    ['rediss://user:p%40ss@cache.internal:6380', 'rediss://user:***@cache.internal:6380'],
    ['postgres://trellis:pw@db:5432/trellis?sslmode=require', 'postgres://trellis:***@db:5432/trellis?sslmode=require'],
  ])('hides the password of %s', (raw, redacted) => {
    expect(redactUrl(raw)).toBe(redacted);
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('redis://user@127.0.0.1:6379')).toBe('redis://user@127.0.0.1:6379');
  });

  it('never echoes what it cannot parse (it may be a secret)', () => {
    expect(redactUrl('s3cret@cache:6379')).toBe('<invalid url>');
    expect(redactUrl('')).toBe('<invalid url>');
  });
});

describe('RedisUnavailableError', () => {
  it('says where, why and how to start one, without the password', () => {
    const error = new RedisUnavailableError('redis://:s3cret@cache:6379', 'ECONNREFUSED');
    expect(error.name).toBe('RedisUnavailableError');
    expect(error.message).toBe(`Redis is not reachable at redis://:***@cache:6379 (ECONNREFUSED); ${REDIS_START_HINT}`);
    expect(error.message).not.toContain('s3cret');
  });

  it('keeps no password in its properties either (loggers serialise them)', () => {
    const error = new RedisUnavailableError('redis://:s3cret@cache:6379', 'ECONNREFUSED');
    expect(JSON.stringify({ ...error })).not.toContain('s3cret');
  });
});

describe('workerRedisOptions', () => {
  it('disables per-request retries, as BullMQ workers require for blocking commands', () => {
    expect(workerRedisOptions('redis://cache:6379')).toEqual({ url: 'redis://cache:6379', maxRetriesPerRequest: null, enableReadyCheck: true });
  });
});
