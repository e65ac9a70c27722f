/**
 * Gauges read at scrape time from the stores every replica shares (DESIGN.md §10): the log's head,
 * each projection's lag and state, BullMQ queue depths, webhook backlog and subscriptions. Every api
 * replica reports the same values, so a dashboard should take `max` (not `sum`) over instances.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Gauge, Registry } from 'prom-client';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { DeliveryStore, SubscriptionStore } from '@trellis/integrations';
import { QUEUES } from '@trellis/platform';
import { ProjectionsService } from '@trellis/projections';

/** BullMQ states reported per queue. */
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

@Injectable()
export class SharedGauges {
  readonly registry = new Registry();
  private readonly head = this.gauge('trellis_event_store_head_position', 'Position of the last event in $all');
  private readonly lag = this.gauge('trellis_projection_lag_positions', '$all positions a read model has not processed yet', ['projection']);
  private readonly batchLag = this.gauge('trellis_projection_last_batch_lag_seconds', 'Recorded → visible, for the last event a read model applied', ['projection']);
  private readonly rebuilding = this.gauge('trellis_projection_rebuilding', '1 while a blue/green rebuild of the read model runs', ['projection']);
  private readonly failing = this.gauge('trellis_projection_failing', '1 while the read model\'s runner reports an error', ['projection']);
  private readonly queueJobs = this.gauge('trellis_queue_jobs', 'BullMQ jobs by queue and state', ['queue', 'state']);
  private readonly deliveries = this.gauge('trellis_webhook_deliveries', 'Webhook deliveries not delivered yet (pending) or given up (dead_lettered)', ['status']);
  private readonly subscriptions = this.gauge('trellis_webhook_subscriptions', 'Webhook subscriptions by status', ['status']);
  private readonly queues: ReadonlyArray<readonly [string, Queue]>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionsService,
    private readonly deliveryStore: DeliveryStore,
    private readonly subscriptionStore: SubscriptionStore,
    @InjectQueue(QUEUES.projections) projectionJobs: Queue,
    @InjectQueue(QUEUES.maintenance) maintenance: Queue,
    @InjectQueue(QUEUES.webhookDispatch) webhookDispatch: Queue,
    @InjectQueue(QUEUES.webhookDelivery) webhookDelivery: Queue,
    @InjectQueue(QUEUES.reminders) reminders: Queue,
  ) {
    this.queues = [projectionJobs, maintenance, webhookDispatch, webhookDelivery, reminders].map((q) => [q.name, q] as const);
  }

  /** Reads every source (in parallel) and sets the gauges. */
  async refresh(): Promise<void> {
    const [head, statuses, queueCounts, backlog, subscriptions] = await Promise.all([
      this.store.headPosition(),
      this.projections.list(),
      Promise.all(this.queues.map(async ([name, q]) => [name, await q.getJobCounts(...QUEUE_STATES)] as const)),
      this.deliveryStore.backlog(),
      this.subscriptionStore.countByStatus(),
    ]);
    this.head.set(Number(head));
    for (const g of [this.lag, this.batchLag, this.rebuilding, this.failing]) g.reset();
    for (const p of statuses) {
      this.lag.set({ projection: p.name }, Number(p.lag));
      if (p.lastBatchLagMs !== null) this.batchLag.set({ projection: p.name }, p.lastBatchLagMs / 1000);
      this.rebuilding.set({ projection: p.name }, p.rebuild ? 1 : 0);
      this.failing.set({ projection: p.name }, p.lastError ? 1 : 0);
    }
    for (const [queue, counts] of queueCounts) for (const state of QUEUE_STATES) this.queueJobs.set({ queue, state }, counts[state] ?? 0);
    this.deliveries.set({ status: 'pending' }, backlog.pending);
    this.deliveries.set({ status: 'dead_lettered' }, backlog.deadLettered);
    this.subscriptions.set({ status: 'active' }, subscriptions.active);
    this.subscriptions.set({ status: 'paused' }, subscriptions.paused);
  }

  private gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
