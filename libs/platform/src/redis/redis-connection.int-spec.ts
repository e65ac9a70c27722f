import { probeRedis, RedisUnavailableError } from './redis-connection';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Nothing listens there. */
const CLOSED_PORT_URL = 'redis://127.0.0.1:6390';

describe('probeRedis', () => {
  it('resolves against a running Redis', async () => {
    await expect(probeRedis(REDIS_URL)).resolves.toBeUndefined();
  });

  it('rejects at once with the URL, the cause and how to start Redis when nothing listens', async () => {
    const started = Date.now();
    const error = await probeRedis(CLOSED_PORT_URL).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    const { message } = error as RedisUnavailableError;
    expect(message).toContain(CLOSED_PORT_URL);
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain('redis-server --daemonize yes');
  });

  it('redacts the password of the URL in the message', async () => {
    const error = (await probeRedis('redis://default:s3cret-pass@127.0.0.1:6390').catch((e: unknown) => e)) as RedisUnavailableError;
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain('redis://default:***@127.0.0.1:6390');
    expect(error.message).not.toContain('s3cret-pass');
  });

  it('names an unknown host', async () => {
    const error = (await probeRedis('redis://no-such-host.invalid:6379').catch((e: unknown) => e)) as RedisUnavailableError;
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
