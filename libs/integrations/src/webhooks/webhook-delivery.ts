/**
 * One delivery attempt of a lane head (no Nest here; the processor wraps it): load the delivery and
 * its subscription, skip it if it is no longer due (delivered, cancelled, paused, deleted), sign the
 * CloudEvent body with the current secret(s), send it, record the attempt, and then either release the
 * lane (delivered or dead-lettered: the next head is offered), or ask for a retry — unless the
 * subscription has been failing for longer than the auto-pause window, which pauses it instead.
 */
import type { Queue } from 'bullmq';
import type { EventStore, RecordedEvent } from '@trellis/event-store';
import { webhookAttempts, type WebhookConfig } from '@trellis/platform';
import { CLOUDEVENTS_CONTENT_TYPE, serializeCloudEvent, toCloudEvent } from './cloud-event';
import { enqueueHeads, type DeliveryJobData } from './delivery-queue';
import type { AttemptContext, AttemptOutcome, AttemptResult, DeliveryStore } from './delivery.store';
import { MicroBatcher } from './micro-batcher';
import { sendWebhook } from './http-sender';
import { signWebhook } from './signing';
import type { SubscriptionStore } from './subscription.store';
import type { WebhookTargetPolicy } from './target-policy';

export type AttemptVerdict =
  | { readonly kind: 'skipped'; readonly reason: 'gone' | 'not-pending' | 'paused' | 'deleted' }
  | { readonly kind: 'delivered'; readonly attempt: number }
  | { readonly kind: 'dead-lettered'; readonly attempt: number }
  | { readonly kind: 'retry'; readonly attempt: number; readonly error: string }
  | { readonly kind: 'auto-paused'; readonly attempt: number };

export interface DeliveryLogger {
  warn(message: string): void;
}

/** A cache of recorded events (immutable): the fan-out to N subscriptions reads each event once. */
class EventCache {
  private readonly entries = new Map<string, RecordedEvent>();
  constructor(private readonly capacity: number) {}
  get(key: string): RecordedEvent | undefined {
    return this.entries.get(key);
  }
  set(key: string, event: RecordedEvent): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, event);
  }
}

/** Events read past the last one asked for (deliveries follow the log: the next ones are asked for next). */
const READ_AHEAD = 100;
/** Positions this close together are read by one range read. */
const CLUSTER_SPAN = 500n;

export class WebhookDelivery {
  private readonly events = new EventCache(5_000);
  private readonly bodies = new WeakMap<RecordedEvent, string>();
  private readonly reads: MicroBatcher<bigint, void>;
  // Group commit (see MicroBatcher): the lookups, the attempts' records and the lane releases of the
  // deliveries in flight each go to the read store as one statement per batch, not one per delivery.
  private readonly lookups: MicroBatcher<string, AttemptContext | null>;
  private readonly records: MicroBatcher<AttemptResult, AttemptOutcome | null>;
  private readonly releases: MicroBatcher<{ subscriptionId: string; lane: string }, void>;

  constructor(
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly deliveries: DeliveryStore,
    private readonly queue: Queue,
    private readonly policy: WebhookTargetPolicy,
    private readonly config: WebhookConfig,
    private readonly logger?: DeliveryLogger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.lookups = new MicroBatcher((ids) => this.deliveries.forAttempts(ids, this.clock()));
    this.reads = new MicroBatcher<bigint, void>(async (positions) => {
      await this.readClusters(positions);
      return positions.map(() => undefined);
    });
    this.records = new MicroBatcher((results) => this.deliveries.recordAttempts(results));
    this.releases = new MicroBatcher<{ subscriptionId: string; lane: string }, void>(async (lanes) => {
      await enqueueHeads(this.queue, await this.deliveries.heads(lanes), this.config);
      return lanes.map(() => undefined);
    });
  }

  /** `lastAttempt`: a failure now dead-letters the delivery (the job has no attempts left). */
  async attempt(job: DeliveryJobData, lastAttempt: boolean): Promise<AttemptVerdict> {
    const ctx = await this.lookups.submit(job.deliveryId);
    if (!ctx) return { kind: 'skipped', reason: 'gone' };
    if (ctx.delivery.status !== 'pending') {
      // A retried job whose first run recorded the outcome but could not offer the next head.
      await this.releaseLane(ctx.delivery.subscriptionId, ctx.delivery.lane);
      return { kind: 'skipped', reason: 'not-pending' };
    }
    if (ctx.subscription.status === 'deleted') return { kind: 'skipped', reason: 'deleted' };
    if (ctx.subscription.status !== 'active') return { kind: 'skipped', reason: 'paused' };

    const event = await this.event(ctx.delivery.position, ctx.delivery.eventId);
    const body = this.bodyOf(event);
    const attemptedAt = this.clock();
    const headers = {
      // The sender adds its User-Agent (Trellis-Webhooks/…).
      'content-type': CLOUDEVENTS_CONTENT_TYPE,
      ...signWebhook(ctx.secrets, event.eventId, Math.floor(attemptedAt.getTime() / 1000), body),
    };
    const result = await sendWebhook({
      url: ctx.subscription.url,
      headers,
      body,
      timeoutMs: this.config.timeoutMs,
      maxResponseBytes: this.config.maxResponseBytes,
      policy: this.policy,
    });
    const error = result.ok ? undefined : (result.error ?? `HTTP ${result.status ?? '?'}`);
    const outcome = await this.records.submit({
      deliveryId: ctx.delivery.id,
      attemptedAt,
      ...(result.status !== undefined ? { statusCode: result.status } : {}),
      latencyMs: result.latencyMs,
      ...(error !== undefined ? { error } : {}),
      ...(result.responseBody !== undefined ? { responseBody: result.responseBody } : {}),
      ok: result.ok,
      last: !result.ok && (lastAttempt || !result.retryable),
    });
    if (!outcome) {
      // Recorded meanwhile by another run of the same job.
      await this.releaseLane(ctx.delivery.subscriptionId, ctx.delivery.lane);
      return { kind: 'skipped', reason: 'not-pending' };
    }

    webhookAttempts.inc({ outcome: outcome.status === 'pending' ? 'retry' : outcome.status });
    if (outcome.status === 'delivered' || outcome.status === 'dead_lettered') {
      this.offerNext(ctx.delivery.subscriptionId, ctx.delivery.lane);
      if (outcome.status === 'delivered') return { kind: 'delivered', attempt: outcome.attempt };
    }
    // A failure: pause the subscription if it has been failing for longer than the window, or if the
    // receiver answered 410 Gone (Standard Webhooks: stop sending).
    const failingTooLong = outcome.failingSince !== null && attemptedAt.getTime() - outcome.failingSince.getTime() >= this.config.autoPauseAfterSeconds * 1000;
    if (failingTooLong || result.endpointGone) {
      const reason = result.endpointGone
        ? 'auto-paused: the receiver answered 410 Gone'
        : `auto-paused: deliveries failing without a success since ${outcome.failingSince!.toISOString()} ` +
          `(more than ${this.config.autoPauseAfterSeconds} s); last error: ${error}`;
      if (await this.subscriptions.autoPause(this.subscriptions.sql, ctx.delivery.subscriptionId, reason)) {
        this.logger?.warn(`Webhook subscription ${ctx.delivery.subscriptionId} ${reason}`);
      }
      if (outcome.status === 'pending') return { kind: 'auto-paused', attempt: outcome.attempt };
    }
    if (outcome.status === 'dead_lettered') return { kind: 'dead-lettered', attempt: outcome.attempt };
    return { kind: 'retry', attempt: outcome.attempt, error: error! };
  }

  /** Offers the next head of the lane (if the subscription is active). */
  async releaseLane(subscriptionId: string, lane: string): Promise<void> {
    await this.releases.submit({ subscriptionId, lane });
  }

  /**
   * `releaseLane` without holding the job: the attempt is recorded, so the job is done; the next head
   * is offered with the next batch of releases. Should that fail (Redis away, a crash), the
   * dispatcher's periodic sweep offers every lane head without a job.
   */
  private offerNext(subscriptionId: string, lane: string): void {
    this.releaseLane(subscriptionId, lane).catch((error: unknown) => {
      this.logger?.warn(`Webhook lane ${subscriptionId}/${lane}: offering the next delivery failed (the sweep will): ${(error as Error).message}`);
    });
  }

  /** The CloudEvents body of an event, serialized once for all the subscriptions it goes to. */
  private bodyOf(event: RecordedEvent): string {
    let body = this.bodies.get(event);
    if (body === undefined) {
      body = serializeCloudEvent(toCloudEvent(event));
      this.bodies.set(event, body);
    }
    return body;
  }

  private async event(position: bigint, eventId: string): Promise<RecordedEvent> {
    const key = position.toString();
    let event = this.events.get(key);
    if (event === undefined) {
      await this.reads.submit(position);
      event = this.events.get(key);
    }
    if (event?.eventId !== eventId) throw new Error(`event ${eventId} is not at position ${position} of $all`);
    return event;
  }

  /**
   * The events at the positions the deliveries in flight miss, a range read per cluster of nearby
   * positions (plus a read-ahead) rather than a query per delivery.
   */
  private async readClusters(positions: readonly bigint[]): Promise<void> {
    const missing = [...new Set(positions.filter((p) => this.events.get(p.toString()) === undefined))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let k = 0;
    while (k < missing.length) {
      const from = missing[k]!;
      let to = from;
      while (k + 1 < missing.length && missing[k + 1]! - from < CLUSTER_SPAN) to = missing[++k]!;
      k++;
      // Positions need not be contiguous: reading after `from - 1` starts with the event at `from`.
      for await (const event of this.store.readAll({ after: from - 1n, maxCount: Number(to - from) + 1 + READ_AHEAD })) {
        this.events.set(event.position.toString(), event);
        if (event.position > to + BigInt(READ_AHEAD)) break;
      }
    }
  }
}
