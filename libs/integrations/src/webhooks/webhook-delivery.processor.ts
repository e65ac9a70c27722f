/**
 * Delivery attempts on BullMQ: one job per lane head, retried by BullMQ with exponential backoff and
 * jitter (`WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_BACKOFF_MS`, `WEBHOOK_BACKOFF_JITTER_PERCENT`); the last
 * failed attempt dead-letters the delivery and releases its lane.
 */
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { QUEUES, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import type { DeliveryJobData } from './delivery-queue';
import { DeliveryStore } from './delivery.store';
import { SubscriptionStore } from './subscription.store';
import { WebhookTargetPolicy } from './target-policy';
import { WebhookDelivery, type AttemptVerdict } from './webhook-delivery';


/** A failed attempt that BullMQ retries after the backoff. */
export class DeliveryAttemptFailed extends Error {
  override readonly name = 'DeliveryAttemptFailed';
}

@Processor(QUEUES.webhookDelivery)
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhookDelivery');
  readonly delivery: WebhookDelivery;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(TRELLIS_CONFIG) private readonly config: TrellisConfig,
    subscriptions: SubscriptionStore,
    deliveries: DeliveryStore,
    policy: WebhookTargetPolicy,
    @InjectQueue(QUEUES.webhookDelivery) queue: Queue,
  ) {
    super();
    this.delivery = new WebhookDelivery(store, subscriptions, deliveries, queue, policy, config.webhooks, this.logger);
  }

  /** BullMQ's own errors (Redis, locks): logged, they are not failures of a delivery. */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.error(`Delivery worker: ${error.message}`);
  }

  /** Deliveries in flight per process (I/O bound: mostly waiting for receivers): WEBHOOK_DELIVERY_CONCURRENCY. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.webhooks.deliveryConcurrency;
  }

  async process(job: Job<DeliveryJobData>): Promise<AttemptVerdict> {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const verdict = await this.delivery.attempt(job.data, last);
    if (verdict.kind === 'retry') throw new DeliveryAttemptFailed(`attempt ${verdict.attempt}: ${verdict.error}`);
    return verdict;
  }
}
