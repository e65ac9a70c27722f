/**
 * The webhook dispatcher: a checkpointed reader of `$all` that matches every event to the
 * subscriptions that want it and records one delivery per (subscription, event) — the outbox — in the
 * same read-store transaction as its checkpoint; after the commit it hands the heads of the lanes it
 * touched to the delivery queue.
 *
 * It reuses the projections' lease and fence (ProjectionRegistry): the dispatcher has a row in the
 * registry under a name no read model has, so exactly one dispatcher is active across worker replicas,
 * one that lost its lease cannot commit, and a crash at any point resumes from the checkpoint without
 * recording anything twice. It is not a read model: it is absent from the projections the admin API
 * lists and rebuilds, and rebuilds never go through it.
 */
import type { Queue } from 'bullmq';
import type { EventStore, RecordedEvent } from '@trellis/event-store';
import type { WebhookConfig } from '@trellis/platform';
import { followerRegistration, followFenced, type FollowOutcome, type FollowerLogger, type ProjectionRegistry } from '@trellis/projections';
import { partnershipIdOf } from './cloud-event';
import { enqueueHeads } from './delivery-queue';
import type { DeliveryStore, NewDelivery } from './delivery.store';
import type { DispatchSubscription, SubscriptionStore } from './subscription.store';

/** The dispatcher's row in the projection registry (a name no read model may take: see README of projections). */
export const WEBHOOK_DISPATCHER_NAME = 'webhook_dispatcher';

/** Registered (for its registry row) but never run as a projection. */
export const WEBHOOK_DISPATCHER_REGISTRATION = followerRegistration(WEBHOOK_DISPATCHER_NAME);

/** The lane of an event: its partnership, or its stream for events outside any partnership. */
export const laneOf = (event: Pick<RecordedEvent, 'streamId' | 'metadata'>): string => {
  const partnershipId = partnershipIdOf(event);
  return partnershipId !== undefined ? `p:${partnershipId}` : `s:${event.streamId}`;
};

/** Pure: the deliveries a batch gives rise to, in position order per subscription. */
export function matchEvents(events: readonly RecordedEvent[], subscriptions: readonly DispatchSubscription[], generation = 0): NewDelivery[] {
  const out: NewDelivery[] = [];
  for (const event of events) {
    const partnershipId = partnershipIdOf(event) ?? null;
    for (const s of subscriptions) {
      if (s.startPosition !== null && event.position <= s.startPosition) continue;
      if (!matches(event, partnershipId, s)) continue;
      out.push({
        subscriptionId: s.id,
        eventId: event.eventId,
        eventType: event.type,
        position: event.position,
        partnershipId,
        lane: laneOf(event),
        generation,
      });
    }
  }
  return out;
}

export function matches(event: Pick<RecordedEvent, 'type'>, partnershipId: string | null, s: Pick<DispatchSubscription, 'eventTypes' | 'partnershipIds'>): boolean {
  if (s.eventTypes && !s.eventTypes.has(event.type)) return false;
  if (s.partnershipIds && (partnershipId === null || !s.partnershipIds.has(partnershipId.toLowerCase()))) return false;
  return true;
}

export interface DispatcherOptions {
  /** Events per transaction (default 500). */
  readonly batchSize?: number;
  /** Lease length; renewed at a third of it (default 15 s). */
  readonly leaseMs?: number;
  /** Flush a partial batch after this pause in the stream (default 5 ms). */
  readonly flushMs?: number;
  /** End the time slice after this long (default 60 s), so the work can move between replicas. */
  readonly maxRunMs?: number;
  /** How often lane heads without a job are looked for (default 5 s). */
  readonly sweepMs?: number;
  /** A head never attempted this long after it was recorded is offered again under a fresh job id (default 60 s). */
  readonly staleHeadMs?: number;
}

export type DispatchOutcome = FollowOutcome;
export type DispatcherLogger = FollowerLogger;

export class WebhookDispatcher {
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly flushMs: number;
  private readonly maxRunMs: number;
  private readonly sweepMs: number;
  private readonly staleHeadMs: number;

  constructor(
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    private readonly subscriptions: SubscriptionStore,
    private readonly deliveries: DeliveryStore,
    private readonly queue: Queue,
    private readonly config: Pick<WebhookConfig, 'maxAttempts' | 'backoffMs' | 'backoffJitter'>,
    options: DispatcherOptions = {},
    private readonly logger?: DispatcherLogger,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.flushMs = options.flushMs ?? 5;
    this.maxRunMs = options.maxRunMs ?? 60_000;
    this.sweepMs = options.sweepMs ?? 5_000;
    this.staleHeadMs = options.staleHeadMs ?? 60_000;
  }

  /** Creates the registry and webhook tables and the dispatcher's registry row (idempotent). */
  async prepare(): Promise<void> {
    await this.registry.migrate();
    await this.subscriptions.migrate();
    await this.registry.ensure([WEBHOOK_DISPATCHER_REGISTRATION]);
  }

  /** The position up to which `$all` has been dispatched. */
  async checkpoint(): Promise<bigint> {
    return (await this.registry.get(WEBHOOK_DISPATCHER_NAME))?.checkpoint ?? 0n;
  }

  /**
   * Runs one time slice as the lease holder (see followFenced): records each batch's deliveries with
   * the checkpoint, then offers the heads of the lanes it touched; sweeps while holding the lease.
   * Returns `busy` at once when another dispatcher holds it.
   */
  async run(owner: string, shouldStop: () => boolean = () => false): Promise<DispatchOutcome> {
    return followFenced(
      this.store,
      this.registry,
      {
        name: WEBHOOK_DISPATCHER_NAME,
        label: 'Webhook dispatcher',
        apply: async (tx, batch, from) => this.deliveries.record(tx, matchEvents(batch, await this.subscriptions.forDispatch(tx, from))),
        afterCommit: (lanes) => this.offerHeads(lanes),
        housekeeping: { everyMs: this.sweepMs, run: () => this.sweep() },
      },
      owner,
      { batchSize: this.batchSize, leaseMs: this.leaseMs, flushMs: this.flushMs, maxRunMs: this.maxRunMs },
      shouldStop,
      this.logger,
    );
  }

  async offerHeads(lanes: ReadonlyArray<{ subscriptionId: string; lane: string }>): Promise<void> {
    if (lanes.length === 0) return;
    try {
      await enqueueHeads(this.queue, await this.deliveries.heads(lanes), this.config);
    } catch (error) {
      this.logger?.warn(`Webhook dispatcher: could not enqueue deliveries (the sweep will retry): ${(error as Error).message}`);
    }
  }

  /** Offers every lane head of active subscriptions (recovers jobs lost to a crash or a Redis outage). */
  async sweep(): Promise<void> {
    try {
      await enqueueHeads(this.queue, await this.deliveries.allHeads(undefined, this.staleHeadMs), this.config);
    } catch (error) {
      this.logger?.warn(`Webhook dispatcher: sweep failed: ${(error as Error).message}`);
    }
  }

  /**
   * A replay: records, as deliveries of generation `generation`, every event matching the
   * subscription at or after `fromPosition` and up to the dispatcher's checkpoint (what comes after
   * it reaches the subscription live), in batches, then offers the lane heads. Idempotent: re-running
   * it (a retried job) records nothing twice.
   */
  async replay(subscriptionId: string, generation: number, fromPosition: bigint): Promise<{ recorded: number; upTo: bigint }> {
    const upTo = await this.checkpoint();
    let recorded = 0;
    const row = await this.subscriptions.row(this.subscriptions.sql, subscriptionId);
    if (!row) return { recorded, upTo };
    const target: DispatchSubscription = {
      id: row.id,
      eventTypes: row.event_types ? new Set(row.event_types) : null,
      partnershipIds: row.partnership_ids ? new Set(row.partnership_ids) : null,
      startPosition: null,
    };
    let batch: RecordedEvent[] = [];
    const flush = async () => {
      const deliveries = matchEvents(batch, [target], generation);
      batch = [];
      if (deliveries.length === 0) return;
      const lanes = await this.deliveries.sql.transaction((tx) => this.deliveries.record(tx, deliveries));
      recorded += deliveries.length;
      await this.offerHeads(lanes);
    };
    const after = fromPosition > 0n ? fromPosition - 1n : undefined;
    for await (const event of this.store.readAll({
      ...(after !== undefined ? { after } : {}),
      ...(row.event_types ? { filter: { eventTypes: row.event_types } } : {}),
    })) {
      if (event.position > upTo) break;
      batch.push(event);
      if (batch.length >= this.batchSize) await flush();
    }
    await flush();
    return { recorded, upTo };
  }
}
