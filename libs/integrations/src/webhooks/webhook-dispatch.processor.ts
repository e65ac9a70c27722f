/**
 * The dispatcher on BullMQ, safe with any number of worker replicas (the projections' pattern): a job
 * scheduler offers a `dispatch` job every few seconds; the job takes the dispatcher's lease (or finds
 * it held and ends at once) and follows `$all` for a time slice, so exactly one dispatcher is active
 * and a dead worker's is taken over once its lease expires. `replay` jobs record a subscription's
 * replay deliveries.
 */
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EVENT_STORE, type EventStore, type SqlClient } from '@trellis/event-store';
import { JobSchedulerKeeper, QUEUES, SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { ProjectionRegistry } from '@trellis/projections';
import { WEBHOOK_JOBS, type ReplayJobData } from './delivery-queue';
import { DeliveryStore } from './delivery.store';
import { SubscriptionStore } from './subscription.store';
import { WebhookDispatcher, type DispatchOutcome } from './webhook-dispatcher';

/** How often the dispatcher's slice is offered to the workers (also the longest wait after a takeover). */
const DISPATCH_EVERY_MS = 2_000;
const JOB_LOCK_MS = 30_000;

@Processor(QUEUES.webhookDispatch, {
  concurrency: 4,
  lockDuration: JOB_LOCK_MS,
  stalledInterval: JOB_LOCK_MS / 2,
  maxStalledCount: 100,
})
export class WebhookDispatchProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly dispatcher: WebhookDispatcher;
  private readonly schedulers: JobSchedulerKeeper;
  private closing = false;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SQL_CLIENT) sql: SqlClient,
    @Inject(TRELLIS_CONFIG) config: TrellisConfig,
    subscriptions: SubscriptionStore,
    deliveries: DeliveryStore,
    @InjectQueue(QUEUES.webhookDispatch) private readonly dispatchQueue: Queue,
    @InjectQueue(QUEUES.webhookDelivery) deliveryQueue: Queue,
  ) {
    super();
    const registry = new ProjectionRegistry(sql, config.dbSchema);
    this.dispatcher = new WebhookDispatcher(store, registry, subscriptions, deliveries, deliveryQueue, config.webhooks, { leaseMs: config.webhooks.dispatcherLeaseMs }, this.logger);
    // Re-created should Redis lose it; the dispatcher's sweep then re-offers the deliveries lost with it.
    this.schedulers = new JobSchedulerKeeper(
      dispatchQueue,
      [{ id: 'webhook-dispatcher', every: DISPATCH_EVERY_MS, template: { name: WEBHOOK_JOBS.dispatch, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } } }],
      this.logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher.prepare();
    await this.schedulers.start();
  }

  onModuleDestroy(): void {
    this.closing = true;
    this.schedulers.stop();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case WEBHOOK_JOBS.dispatch: {
        // One lease owner per job: the scheduler offers a new job while a slice may still run here.
        const outcome: DispatchOutcome = await this.dispatcher.run(`${this.owner}:${job.id ?? randomBytes(4).toString('hex')}`, () => this.closing);
        // The next slice at once (on whichever worker takes the job), not at the scheduler's next tick:
        // a pause of up to DISPATCH_EVERY_MS every slice would show in the delivery latency.
        if (outcome === 'time-slice-over' && !this.closing) {
          await this.dispatchQueue.add(WEBHOOK_JOBS.dispatch, {}, { removeOnComplete: true, removeOnFail: 100 });
        }
        return { outcome };
      }
      case WEBHOOK_JOBS.replay: {
        const data = job.data as ReplayJobData;
        const result = await this.dispatcher.replay(data.subscriptionId, data.generation, BigInt(data.fromPosition));
        this.logger.log(`Replay ${data.generation} of subscription ${data.subscriptionId} from ${data.fromPosition}: ${result.recorded} deliveries`);
        return { recorded: result.recorded, upTo: result.upTo.toString() };
      }
      default:
        throw new Error(`Unknown webhook dispatch job ${job.name}`);
    }
  }
}

