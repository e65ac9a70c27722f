/** The shared rate limiter (one Redis connection per process), used by the guard and the middleware. */
import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { TrellisConfig } from '@trellis/platform';
import { RateLimiter } from './rate-limiter';

export const RATE_LIMITER = Symbol('RATE_LIMITER');

class RateLimiterLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly enabled: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.enabled) await this.limiter.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limiter.close();
  }
}

@Module({})
export class RateLimitModule {
  static forRoot(config: TrellisConfig): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [
        // The BullMQ prefix keeps the buckets of deployments (and test runs) sharing a Redis apart.
        { provide: RATE_LIMITER, useFactory: () => new RateLimiter(config.redisUrl, config.queuePrefix) },
        { provide: RateLimiterLifecycle, useFactory: (l: RateLimiter) => new RateLimiterLifecycle(l, config.rateLimit.enabled), inject: [RATE_LIMITER] },
      ],
      exports: [RATE_LIMITER],
    };
  }
}
