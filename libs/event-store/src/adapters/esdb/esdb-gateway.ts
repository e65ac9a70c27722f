/**
 * The few EventStoreDB operations the adapter uses, behind a small interface: the store and the
 * subscription are written against `EsdbGateway`, the gRPC client is wrapped once here
 * (`grpcGateway`), and the unit tests drive the same logic with an in-memory fake.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { esdbErrorKind, type EsdbEventData, type EsdbExpectedRevision, type EsdbPosition, type EsdbRecord, type EsdbServerFilter } from './esdb-mapping';

export type EsdbReadFrom = 'start' | 'end' | EsdbPosition;

export interface EsdbSubscribeOptions {
  readonly from: 'start' | EsdbPosition;
  readonly filter: EsdbServerFilter;
  /** Events the server may consider per catch-up page; a checkpoint follows every such window. */
  readonly maxSearchWindow: number;
}

/** What a raw `$all` subscription hands over, in server order. */
export type EsdbSubscriptionItem =
  | { readonly kind: 'event'; readonly record: EsdbRecord }
  /** The server has considered everything up to this position (filtered subscriptions). */
  | { readonly kind: 'checkpoint'; readonly position: EsdbPosition }
  | { readonly kind: 'caughtUp' }
  | { readonly kind: 'fellBehind' };

/** A pull-based subscription: nothing is read from the server faster than `next()` is called. */
export interface EsdbRawSubscription {
  /** Rejects when the subscription drops (connection lost, server restarted, …). */
  next(): Promise<IteratorResult<EsdbSubscriptionItem, undefined>>;
  close(): Promise<void>;
}

export interface EsdbGateway {
  /** Throws the client's errors (WrongExpectedVersionError, …) untranslated. */
  append(streamId: string, events: readonly EsdbEventData[], expectedRevision: EsdbExpectedRevision): Promise<void>;
  /** Yields nothing for a stream that does not exist. */
  readStream(
    streamId: string,
    options: { fromRevision?: bigint; direction: 'forwards' | 'backwards'; maxCount: number },
  ): AsyncIterable<EsdbRecord>;
  /** Forwards from a position is inclusive (the event at `from`, if any, comes first). */
  readAll(options: { from: EsdbReadFrom; direction: 'forwards' | 'backwards'; maxCount: number }): AsyncIterable<EsdbRecord>;
  subscribeToAll(options: EsdbSubscribeOptions): EsdbRawSubscription;
  dispose(): Promise<void>;
}

// ── gRPC ──────────────────────────────────────────────────────────────────────────────────────

const toClientPosition = (from: EsdbReadFrom): typeof START | typeof END | Position =>
  from === 'start' ? START : from === 'end' ? END : { commit: from.commit, prepare: from.prepare };

const toCount = (maxCount: number): number | bigint =>
  Number.isFinite(maxCount) ? maxCount : BigInt(Number.MAX_SAFE_INTEGER);

function toRecord(resolved: ResolvedEvent | AllStreamResolvedEvent): EsdbRecord | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  return {
    streamId: event.streamId,
    revision: event.revision,
    eventId: event.id,
    type: event.type,
    // Binary events (not written by Trellis) are shown as base64 text.
    data: event.data instanceof Uint8Array ? Buffer.from(event.data).toString('base64') : event.data,
    metadata: event.metadata instanceof Uint8Array ? undefined : event.metadata,
    ...(event.position ? { position: { commit: event.position.commit, prepare: event.position.prepare } } : {}),
  };
}

export function grpcGateway(client: EventStoreDBClient): EsdbGateway {
  return {
    async append(streamId, events, expectedRevision) {
      await client.appendToStream(
        streamId,
        events.map((e) => ({ id: e.id, contentType: e.contentType, type: e.type, data: e.data, metadata: e.metadata })),
        { expectedRevision },
      );
    },

    async *readStream(streamId, { fromRevision, direction, maxCount }) {
      if (maxCount <= 0) return;
      const read = client.readStream(streamId, {
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision: fromRevision ?? (direction === 'forwards' ? START : END),
        maxCount: toCount(maxCount),
      });
      try {
        for await (const resolved of read) {
          const record = toRecord(resolved);
          if (record) yield record;
        }
      } catch (error) {
        if (esdbErrorKind(error) === 'stream_not_found') return;
        throw error;
      } finally {
        await read.cancel().catch(() => undefined);
      }
    },

    async *readAll({ from, direction, maxCount }) {
      if (maxCount <= 0) return;
      const read = client.readAll({
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromPosition: toClientPosition(from),
        maxCount: toCount(maxCount),
      });
      try {
        for await (const resolved of read) {
          const record = toRecord(resolved);
          if (record) yield record;
        }
      } finally {
        await read.cancel().catch(() => undefined);
      }
    },

    subscribeToAll({ from, filter, maxSearchWindow }) {
      const items = new GrpcSubscriptionItems();
      const clientFilter: Filter = {
        ...filter,
        maxSearchWindow,
        // One checkpoint per search window (the server multiplies the two).
        checkpointInterval: 1,
        checkpointReached: (_subscription, position) => items.checkpoint(position),
      } as Filter;
      items.attach(client.subscribeToAll({ fromPosition: from === 'start' ? START : from, filter: clientFilter }));
      return items;
    },

    dispose: () => client.dispose(),
  };
}

/**
 * Turns the client's subscription (a Node Transform that emits events as data, `caughtUp` /
 * `fellBehind` as emitter events and checkpoints through an awaited callback) into one ordered,
 * pull-based sequence.
 *
 * Ordering: a checkpoint must not overtake events the server sent before it. The client calls
 * `checkpointReached` from `_transform`, after every earlier event has been pushed into the
 * readable buffer, and does not transform anything further until the callback resolves. So the
 * checkpoint is queued here and released only once `read()` finds the buffer empty: by then each
 * earlier event has been handed out. `caughtUp` is queued the same way (it may end up after a
 * few later events, which only makes it conservative).
 *
 * Backpressure: events are taken with `read()` only when `next()` is called; the Transform's
 * buffer and gRPC flow control hold the rest on the server.
 */
export class GrpcSubscriptionItems implements EsdbRawSubscription {
  private subscription: AllStreamSubscription | undefined;
  private readonly markers: Array<{ item: EsdbSubscriptionItem; release?: () => void }> = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: unknown;
  private closed = false;

  attach(subscription: AllStreamSubscription): void {
    this.subscription = subscription;
    const wake = () => this.notify();
    subscription.on('readable', wake);
    subscription.on('end', () => {
      this.ended = true;
      wake();
    });
    subscription.on('close', () => {
      this.ended = true;
      wake();
    });
    subscription.on('error', (error: Error) => {
      this.failure ??= error;
      wake();
    });
    subscription.on('caughtUp', () => this.mark({ kind: 'caughtUp' }));
    subscription.on('fellBehind', () => this.mark({ kind: 'fellBehind' }));
  }

  checkpoint(position: Position): Promise<void> {
    return new Promise((release) =>
      this.mark({ kind: 'checkpoint', position: { commit: position.commit, prepare: position.prepare } }, release),
    );
  }

  async next(): Promise<IteratorResult<EsdbSubscriptionItem, undefined>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const chunk = this.subscription?.read() as AllStreamResolvedEvent | null | undefined;
      if (chunk) {
        const record = toRecord(chunk);
        if (record) return { done: false, value: { kind: 'event', record } };
        continue;
      }
      const marker = this.markers.shift();
      if (marker) {
        marker.release?.();
        return { done: false, value: marker.item };
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) throw new Error('the EventStoreDB subscription ended');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const marker of this.markers.splice(0)) marker.release?.();
    this.notify();
    await this.subscription?.unsubscribe().catch(() => undefined);
  }

  private mark(item: EsdbSubscriptionItem, release?: () => void): void {
    this.markers.push(release ? { item, release } : { item });
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
