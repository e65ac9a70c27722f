/**
 * Housekeeping on BullMQ: purges expired Idempotency-Key records on a job scheduler. Safe with any
 * number of worker replicas (the scheduler is upserted idempotently; the purge is a plain DELETE).
 */
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { IDEMPOTENCY_STORE } from '../tokens';
import type { IdempotencyStore } from '../idempotency/idempotency.store';
import { JobSchedulerKeeper } from '../queueing/job-scheduler-keeper';
import { MAINTENANCE_JOBS, QUEUES, type MaintenanceJobName } from '../queueing/queues';

const PURGE_EVERY_MS = 60 * 60 * 1000;

@Processor(QUEUES.maintenance)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private readonly schedulers: JobSchedulerKeeper;

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    @InjectQueue(QUEUES.maintenance) queue: Queue,
  ) {
    super();
    this.schedulers = new JobSchedulerKeeper(
      queue,
      [{ id: MAINTENANCE_JOBS.purgeIdempotencyKeys, every: PURGE_EVERY_MS, template: { name: MAINTENANCE_JOBS.purgeIdempotencyKeys, opts: { removeOnComplete: 100, removeOnFail: 100 } } }],
      this.logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.schedulers.start();
  }

  onModuleDestroy(): void {
    this.schedulers.stop();
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
