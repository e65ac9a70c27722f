/**
 * `GET /health` (DESIGN.md §10): event store, read store and Redis. Public, so that load balancers
 * and orchestrators can probe it without a key; it reveals only up/down per dependency.
 */
import { Controller, Get, Inject, type OnModuleDestroy } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import IORedis from 'ioredis';
import { EVENT_STORE, type EventStore, type SqlClient } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { Public } from '../auth/auth.decorators';

@ApiTags('Operations')
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private readonly redis: IORedis;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    @Inject(TRELLIS_CONFIG) config: TrellisConfig,
  ) {
    // Its own connection: BullMQ's client typings have no ping(), and a health probe must fail fast.
    this.redis = new IORedis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
    this.redis.on('error', () => undefined);
  }

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Health of the event store, read store and Redis (503 when one is down)' })
  check() {
    return this.health.check([
      () => this.probe('eventStore', () => this.store.ping()),
      () => this.probe('readStore', async () => void (await this.sql.query('SELECT 1'))),
      () =>
        this.probe('redis', async () => {
          if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect().catch(() => undefined);
          await this.redis.ping();
        }),
    ]);
  }

  private async probe(key: string, fn: () => Promise<void>) {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(fn(), 2_000);
      return indicator.up();
    } catch (e) {
      return indicator.down({ message: (e as Error).message.slice(0, 200) });
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
