/**
 * Rate limits shared by every API replica: one atomic Lua script per request on the Redis the engine
 * already needs (an in-process counter would give each replica its own allowance).
 *
 * The algorithm is GCRA (the "generic cell rate algorithm", a token bucket kept as one timestamp):
 * a bucket holds `burst` requests and refills at `perMinute`. Redis's own clock is used, so replicas
 * with skewed clocks still agree.
 *
 * When Redis cannot be reached the limiter fails open (see docs/security.md, "Hardening"): requests
 * are served unlimited and a warning is logged at most every 30 s.
 */
import { Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import type { RateLimitPolicy } from '@trellis/platform';

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Requests that could be made right now (after this one, when it was counted). */
  readonly remaining: number;
  /** Milliseconds until the next request would be allowed (0 when one is allowed now). */
  readonly retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
  readonly policy: RateLimitPolicy;
}

/**
 * KEYS[1] the bucket; ARGV[1] emission interval (ms per request), ARGV[2] burst, ARGV[3] "1" to count
 * this request, "0" to only look. The stored value is the theoretical arrival time (TAT) in ms.
 * Returns {allowed, remaining, retryAfterMs, resetMs}.
 */
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allowAt = tat + interval - burst * interval
if now < allowAt then
  return {0, 0, allowAt - now, tat - now}
end
if ARGV[3] == '1' then
  local newTat = tat + interval
  redis.call('SET', KEYS[1], newTat, 'PX', newTat - now)
  return {1, math.floor((now - allowAt) / interval), 0, newTat - now}
end
return {1, math.floor((now - allowAt) / interval) + 1, 0, tat - now}
`;

type GcraClient = IORedis & {
  trellisGcra(bucket: string, intervalMs: number, burst: number, consume: '0' | '1'): Promise<[number, number, number, number]>;
};

export class RateLimiter {
  private readonly logger = new Logger('RateLimit');
  private readonly client: GcraClient;
  private lastWarningAt = 0;
  private failing = false;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    options: { commandTimeoutMs?: number } = {},
  ) {
    // Its own connection, failing fast: no offline queue, no retries of a command, a short timeout;
    // a request never waits on a Redis that is not there.
    this.client = new IORedis(redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: 2_000,
    }) as GcraClient;
    this.client.defineCommand('trellisGcra', { numberOfKeys: 1, lua: GCRA });
    this.client.on('error', (e: Error) => this.warn(e));
  }

  async connect(): Promise<void> {
    await this.client.connect().catch((e: Error) => this.warn(e));
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Counts a request against `bucket`; null when Redis cannot answer (fail open). */
  consume(bucket: string, policy: RateLimitPolicy): Promise<RateLimitDecision | null> {
    return this.run(bucket, policy, '1');
  }

  /** Whether a request would be allowed now, without counting one; null when Redis cannot answer. */
  peek(bucket: string, policy: RateLimitPolicy): Promise<RateLimitDecision | null> {
    return this.run(bucket, policy, '0');
  }

  private async run(bucket: string, policy: RateLimitPolicy, consume: '0' | '1'): Promise<RateLimitDecision | null> {
    const intervalMs = Math.max(1, Math.round(60_000 / policy.perMinute));
    try {
      const [allowed, remaining, retryAfterMs, resetMs] = await this.client.trellisGcra(`${this.prefix}:rate-limit:${bucket}`, intervalMs, policy.burst, consume);
      if (this.failing) {
        this.failing = false;
        this.logger.log('Redis answers again; rate limiting resumed');
      }
      return { allowed: allowed === 1, remaining, retryAfterMs, resetMs, policy };
    } catch (e) {
      this.warn(e as Error);
      return null;
    }
  }

  private warn(e: Error): void {
    this.failing = true;
    const now = Date.now();
    if (now - this.lastWarningAt < 30_000) return;
    this.lastWarningAt = now;
    this.logger.warn(`Rate limiting is suspended (failing open): Redis does not answer (${e.message})`);
  }
}

/** The bucket of an API key, and of a client address (requests without a valid key). */
export const keyBucket = (apiKeyId: string) => `key:${apiKeyId}`;
export const addressBucket = (address: string) => `address:${address}`;

/** Set on `res.locals` once a request has been counted against its key. */
export const COUNTED_AGAINST_KEY = 'trellisRateLimitCounted';

/** The headers that describe a decision (docs/security.md lists them). */
export function rateLimitHeaders(decision: RateLimitDecision, nowMs = Date.now()): Record<string, string> {
  const resetSeconds = Math.ceil(decision.resetMs / 1000);
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(decision.policy.burst),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(resetSeconds),
    // draft-ietf-httpapi-ratelimit-headers-07: `burst` requests per `w` seconds (the time to refill).
    'RateLimit-Policy': `${decision.policy.burst};w=${Math.ceil((decision.policy.burst * 60) / decision.policy.perMinute)}`,
    'X-RateLimit-Limit': String(decision.policy.burst),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(Math.ceil(nowMs / 1000) + resetSeconds),
  };
  if (!decision.allowed) headers['Retry-After'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  return headers;
}
