/**
 * BullMQ wiring for both apps: one Redis connection setting, the key prefix, and the queues
 * (global: imported once by each root module, injectable everywhere). `WorkersModule` adds the
 * platform's own processors; feature libraries add theirs.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { TrellisConfig } from '../config/trellis-config';
import { workerRedisOptions } from '../redis/redis-connection';
import { QUEUES } from './queues';
import { MaintenanceProcessor } from '../maintenance/maintenance.processor';

@Module({})
export class QueueingModule {
  static forRoot(config: TrellisConfig): DynamicModule {
    const queues = Object.values(QUEUES).map((name) => BullModule.registerQueue({ name }));
    return {
      module: QueueingModule,
      global: true,
      imports: [
        BullModule.forRoot({
          connection: workerRedisOptions(config.redisUrl),
          prefix: config.queuePrefix,
        }),
        ...queues,
      ],
      exports: [...queues],
    };
  }
}

@Module({})
export class WorkersModule {
  /** Relies on the (global) PlatformModule and QueueingModule imported by the root module. */
  static forRoot(): DynamicModule {
    return { module: WorkersModule, providers: [MaintenanceProcessor] };
  }
}
