/**
 * The per-key limit. Registered right after ApiKeyGuard, so the key identifies the bucket. Requests
 * without a principal (public routes) are counted per address by `unauthenticatedRateLimit`, which
 * also counts, against their key, authenticated requests that ApiKeyGuard refused (role, scope).
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { RATE_LIMITER } from './rate-limit.module';
import { rateLimited } from './rate-limit.problem';
import { COUNTED_AGAINST_KEY, keyBucket, rateLimitHeaders, type RateLimiter } from './rate-limiter';

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(TRELLIS_CONFIG) private readonly config: TrellisConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.config.rateLimit.enabled) return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!req.principal) return true;
    const res = context.switchToHttp().getResponse<Response>();
    res.locals[COUNTED_AGAINST_KEY] = true;
    const decision = await this.limiter.consume(keyBucket(req.principal.apiKeyId), this.config.rateLimit.perKey);
    if (!decision) return true; // Redis unreachable: fail open (logged by the limiter)
    const headers = rateLimitHeaders(decision);
    if (!decision.allowed) throw rateLimited('this API key', decision, headers);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    return true;
  }
}
