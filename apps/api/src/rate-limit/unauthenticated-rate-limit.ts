/**
 * The per-address limit for requests without a valid key: none, an unknown or revoked one, or a
 * public route. Express middleware, so it runs before authentication:
 *
 * - a request without an Authorization header is counted at once;
 * - a request with one is only checked (its key may be valid, and an authenticated client must not
 *   spend its address's allowance); if it ends without a principal (401, or refused before the key
 *   was checked) it is counted when the response closes — and if it was authenticated but refused
 *   before the per-key guard ran (403 role, 404 out of the key's organization), against its key.
 *
 * An address whose allowance is spent is refused with 429 whatever key it sends — otherwise a
 * guesser would learn that the one key answered with something else than 429 is valid.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TrellisConfig } from '@trellis/platform';
import { sendProblemException } from '../http/problem-details.filter';
import { clientAddress } from './client-address';
import { rateLimited } from './rate-limit.problem';
import { addressBucket, COUNTED_AGAINST_KEY, keyBucket, rateLimitHeaders, type RateLimiter } from './rate-limiter';

/** Never limited: load balancers and orchestrators probe it often, and it reveals only up/down. */
export const RATE_LIMIT_EXEMPT_PATHS: ReadonlySet<string> = new Set(['/health']);

export function unauthenticatedRateLimit(limiter: RateLimiter, config: TrellisConfig): RequestHandler {
  const policy = config.rateLimit.perAddress;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!config.rateLimit.enabled || RATE_LIMIT_EXEMPT_PATHS.has(req.path)) return next();
    const bucket = addressBucket(clientAddress(req.ip));
    const presentsKey = req.headers.authorization !== undefined;
    const check = presentsKey ? limiter.peek(bucket, policy) : limiter.consume(bucket, policy);
    check.then(
      (decision) => {
        if (decision && !decision.allowed) {
          const headers = rateLimitHeaders(decision);
          return sendProblemException(req, res, rateLimited('this client address for requests without a valid API key', decision, headers));
        }
        if (presentsKey) {
          res.once('close', () => {
            if (res.locals[COUNTED_AGAINST_KEY]) return;
            // Authenticated but refused before the rate-limit guard (role, organization scope): the key pays.
            if (req.principal) void limiter.consume(keyBucket(req.principal.apiKeyId), config.rateLimit.perKey);
            else void limiter.consume(bucket, policy);
          });
        }
        next();
      },
      next,
    );
  };
}
