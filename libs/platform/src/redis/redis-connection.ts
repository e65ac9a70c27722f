/**
 * Redis connections for BullMQ and health checks, and the start-up probe that stops the process
 * with one clear line when Redis is not there (issue #2: "says how to start one").
 */
import IORedis, { type RedisOptions } from 'ioredis';

/** Options BullMQ workers need (blocking commands must not time out). */
export function workerRedisOptions(redisUrl: string): RedisOptions & { url: string } {
  return { url: redisUrl, maxRetriesPerRequest: null, enableReadyCheck: true };
}

export const REDIS_START_HINT =
  'start one with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no (or set REDIS_URL)';

export class RedisUnavailableError extends Error {
  /** The URL with its password redacted: loggers serialise an error's own properties too. */
  readonly redisUrl: string;

  constructor(redisUrl: string, cause: string) {
    super(`Redis is not reachable at ${redactUrl(redisUrl)} (${cause}); ${REDIS_START_HINT}`);
    this.name = 'RedisUnavailableError';
    this.redisUrl = redactUrl(redisUrl);
  }
}

/** Pings Redis once, without retries. Resolves when it answers PONG. */
export async function probeRedis(redisUrl: string, timeoutMs = 2_000): Promise<void> {
  const client = new IORedis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket error (ECONNREFUSED, ENOTFOUND, …) says more than the "connection closed" that follows it.
  let socketError: Error | undefined;
  client.on('error', (e: Error) => (socketError ??= e));
  try {
    await client.connect();
    const answer = await client.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
  } catch (e) {
    const cause = socketError ?? (e as Error);
    const code = (cause as { code?: string }).code;
    throw new RedisUnavailableError(redisUrl, code ?? (cause.message || 'connection refused'));
  } finally {
    // Not on a connection that already ended: ioredis would arm a 2 s timer for a socket that has
    // already closed, holding the process (and a test run) open for nothing.
    if (client.status !== 'end') client.disconnect();
  }
}

export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
