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
import { LeaseLostError, type Projection, type ProjectionRegistry } from '@trellis/projections';
import { partnershipIdOf } from './cloud-event';
import { enqueueHeads } from './delivery-queue';
import type { DeliveryStore, NewDelivery } from './delivery.store';
import type { DispatchSubscription, SubscriptionStore } from './subscription.store';

/** The dispatcher's row in the projection registry (a name no read model may take: see README of projections). */
export const WEBHOOK_DISPATCHER_NAME = 'webhook_dispatcher';

/** Registered (for its registry row) but never run as a projection. */
export const WEBHOOK_DISPATCHER_REGISTRATION: Projection = {
  name: WEBHOOK_DISPATCHER_NAME,
  version: 1,
  eventTypes: [],
  tables: [],
  apply: async () => {
    throw new Error('the webhook dispatcher is not a projection');
  },
};

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

export type DispatchOutcome = 'busy' | 'stopped' | 'time-slice-over' | 'lease-lost' | 'failing';

export interface DispatcherLogger {
  warn(message: string): void;
  error(message: string): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const TIMEOUT = Symbol('timeout');

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
   * Runs one time slice as the lease holder: follows `$all` from the checkpoint until `shouldStop()`,
   * the slice ends, or the lease is lost. Returns `busy` at once when another dispatcher holds it.
   */
  async run(owner: string, shouldStop: () => boolean = () => false): Promise<DispatchOutcome> {
    const lease = await this.registry.acquireLease(WEBHOOK_DISPATCHER_NAME, owner, this.leaseMs);
    if (!lease) return 'busy';
    const generation = lease.generation;
    let checkpoint = lease.checkpoint;
    let renewedAt = Date.now();
    let sweptAt = 0;
    const started = Date.now();
    const subscription = this.store.subscribeAll({ after: checkpoint });
    const iterator = subscription[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
    let exhausted = false;
    const nextBatch = async (): Promise<RecordedEvent[]> => {
      const batch: RecordedEvent[] = [];
      while (batch.length < this.batchSize && !exhausted) {
        pending ??= iterator.next();
        let timer: NodeJS.Timeout | undefined;
        const wait = batch.length === 0 ? Math.min(1_000, this.leaseMs / 6) : this.flushMs;
        const result = await Promise.race([pending, new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), wait)))]);
        clearTimeout(timer);
        if (result === TIMEOUT) break;
        pending = undefined;
        if (result.done) exhausted = true;
        else batch.push(result.value);
      }
      return batch;
    };

    let outcome: DispatchOutcome = 'stopped';
    try {
      for (;;) {
        if (shouldStop()) return (outcome = 'stopped');
        if (Date.now() - started > this.maxRunMs) return (outcome = 'time-slice-over');
        if (Date.now() - renewedAt > this.leaseMs / 3) {
          const renewed = await this.registry.acquireLease(WEBHOOK_DISPATCHER_NAME, owner, this.leaseMs);
          if (!renewed || renewed.checkpoint !== checkpoint) return (outcome = 'lease-lost');
          renewedAt = Date.now();
        }
        if (Date.now() - sweptAt > this.sweepMs) {
          await this.sweep();
          sweptAt = Date.now();
        }
        const batch = await nextBatch();
        if (batch.length === 0) {
          if (exhausted) return (outcome = 'stopped');
          continue;
        }
        const to = batch[batch.length - 1]!.position;
        let lanes: Array<{ subscriptionId: string; lane: string }>;
        try {
          if (batch[0]!.position <= checkpoint) throw new Error(`the subscription delivered position ${batch[0]!.position}, at or before the checkpoint ${checkpoint}`);
          lanes = await this.commit(owner, generation, checkpoint, to, batch);
        } catch (error) {
          if (error instanceof LeaseLostError) return (outcome = 'lease-lost');
          const message = `dispatch failed at positions ${batch[0]!.position}–${to}: ${(error as Error).message}`;
          this.logger?.error(`Webhook dispatcher: ${message}`);
          await this.registry.recordError(WEBHOOK_DISPATCHER_NAME, message).catch(() => undefined);
          return (outcome = 'failing');
        }
        checkpoint = to;
        await this.offerHeads(lanes);
      }
    } finally {
      await subscription.close();
      // Also after a lost lease: releasing only ever frees a lease this owner still holds (a fence that
      // failed on a moved checkpoint), so the next slice starts at once instead of after the lease expires.
      await this.registry.releaseLease(WEBHOOK_DISPATCHER_NAME, owner).catch(() => undefined);
      if (outcome === 'failing') await sleep(1_000);
    }
  }

  private async commit(owner: string, generation: number, from: bigint, to: bigint, batch: readonly RecordedEvent[]) {
    return this.registry.sql.transaction(async (tx) => {
      // Fenced before anything is written: a dispatcher that lost its lease records nothing.
      await this.registry.fenceLive(tx, { name: WEBHOOK_DISPATCHER_NAME, owner, generation, from });
      const subscriptions = await this.subscriptions.forDispatch(tx, from);
      const lanes = await this.deliveries.record(tx, matchEvents(batch, subscriptions));
      const last = batch[batch.length - 1];
      await this.registry.advanceLive(tx, {
        name: WEBHOOK_DISPATCHER_NAME,
        owner,
        to,
        applied: batch.length,
        ...(typeof last?.metadata['recordedAt'] === 'string' ? { lastRecordedAt: last.metadata['recordedAt'] } : {}),
      });
      return lanes;
    });
  }

  /** Offers the current heads of these lanes to the delivery queue; a failure is left to the sweep. */
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
