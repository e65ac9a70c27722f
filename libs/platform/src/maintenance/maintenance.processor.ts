/**
 * Housekeeping on BullMQ: purges expired Idempotency-Key records on a job scheduler. Safe with any
 * number of worker replicas (the scheduler is upserted idempotently; the purge is a plain DELETE).
 */
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { IDEMPOTENCY_STORE } from '../tokens';
import type { IdempotencyStore } from '../idempotency/idempotency.store';
import { MAINTENANCE_JOBS, QUEUES, type MaintenanceJobName } from '../queueing/queues';

const PURGE_EVERY_MS = 60 * 60 * 1000;

@Processor(QUEUES.maintenance)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      MAINTENANCE_JOBS.purgeIdempotencyKeys,
      { every: PURGE_EVERY_MS },
      { name: MAINTENANCE_JOBS.purgeIdempotencyKeys, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async process(job: Job<unknown, unknown, MaintenanceJobName>): Promise<{ purged: number }> {
    switch (job.name) {
      case MAINTENANCE_JOBS.purgeIdempotencyKeys: {
        const purged = await this.idempotency.purgeExpired();
        if (purged > 0) this.logger.log(`purged ${purged} expired idempotency records`);
        return { purged };
      }
      default: {
        const _never: never = job.name;
        throw new Error(`Unknown maintenance job ${String(_never)}`);
      }
    }
  }
}
