import { ProblemException } from '../http/problem';
import type { RateLimitDecision } from './rate-limiter';

/** 429 RATE_LIMITED, with Retry-After and the RateLimit-* headers of the exhausted bucket. */
export function rateLimited(who: string, decision: RateLimitDecision, headers: Record<string, string>): ProblemException {
  const { burst, perMinute } = decision.policy;
  return new ProblemException(
    429,
    'RATE_LIMITED',
    'Too many requests',
    `The rate limit of ${who} (${perMinute} requests per minute, ${burst} at once) is exhausted; retry after ${headers['Retry-After']} s`,
    {},
    headers,
  );
}
