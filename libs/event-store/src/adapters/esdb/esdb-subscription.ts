/**
 * The port's catch-up subscription over an EventStoreDB `$all` subscription.
 *
 * - Server-side filtering (esdb-mapping.ts `translateFilter`): one filter kind on the server, the
 *   rest and system events dropped here.
 * - Checkpoints: the server's `checkpointReached` positions become `onCheckpoint` calls, in order
 *   with the events, so an idle filtered subscriber still advances. A checkpoint at a page boundary
 *   ({commit: C, prepare: 0}: "everything before C") is resolved to the last event before C, the
 *   only kind of position that can be resumed from exactly. The server sends live checkpoints only
 *   every `maxSearchWindow` considered events, so when the subscription has been idle for
 *   `idleCheckpointMs` the adapter also checks `$all` itself: if nothing in (position, head]
 *   matches the filter, `head` is a safe checkpoint.
 * - Caught up: on the server's `caughtUp` message (servers ≥ 23.10), or once the position reaches
 *   the head read at (re)subscription — whichever comes first, once per connection (again after a
 *   `fellBehind`).
 * - Dropped connections: resubscribe from the last position delivered or checkpointed, with
 *   backoff, dropping anything at or below that position (no duplicates, no gaps); `close()` ends
 *   it, also during a backoff wait.
 * - Pull-based: the server is read only when the consumer asks for the next event, and callbacks run
 *   when the consumer asks for more, i.e. after it has handled everything yielded before.
 */
import type { EventSubscription, RecordedEvent, SubscribeAllOptions } from '../../core/event-store.port';
import type { EsdbGateway, EsdbRawSubscription, EsdbSubscriptionItem } from './esdb-gateway';
import {
  checkpointEventPosition,
  fromPositionAfter,
  positionOf,
  type EsdbPosition,
  type EsdbRecord,
  type TranslatedFilter,
} from './esdb-mapping';

export interface EsdbSubscriptionSource {
  readonly gateway: EsdbGateway;
  readonly maxSearchWindow: number;
  readonly idleCheckpointMs: number;
  /** Delays before successive resubscription attempts; the last one repeats. */
  readonly reconnectDelaysMs: readonly number[];
  headPosition(): Promise<bigint>;
  /** The position of the last event strictly before a page-boundary checkpoint (0n if none). */
  lastEventBefore(checkpoint: EsdbPosition): Promise<bigint>;
  /** Whether any event in (after, upTo] matches; undefined when that window is too large to check. */
  anyMatchBetween(after: bigint, upTo: bigint, matches: TranslatedFilter['matches']): Promise<boolean | undefined>;
  present(record: EsdbRecord, position: bigint): RecordedEvent;
  /** A dropped connection (the subscription resubscribes by itself). */
  onDropped?(error: unknown, attempt: number, delayMs: number): void;
}

type Step = { kind: 'item'; result: IteratorResult<EsdbSubscriptionItem, undefined> } | { kind: 'idle' } | { kind: 'closed' };

export class EsdbSubscription implements EventSubscription {
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;
  private raw: EsdbRawSubscription | undefined;
  private closed = false;
  private wakeOnClose: (() => void) | undefined;
  private released = false;

  constructor(
    private readonly source: EsdbSubscriptionSource,
    private readonly options: SubscribeAllOptions,
    private readonly filter: TranslatedFilter,
    private readonly onRelease: (subscription: EsdbSubscription) => void,
  ) {
    this.iterator = this.run();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeOnClose?.();
    await this.raw?.close();
    this.release();
  }

  private async *run(): AsyncGenerator<RecordedEvent, void, undefined> {
    const { onCheckpoint, onCaughtUp } = this.options;
    // Everything at or below `position` has been delivered or skipped as not matching.
    let position = this.options.after ?? 0n;
    let reported = position;
    let failures = 0;
    const reportCheckpoint = () => {
      if (position > reported) {
        reported = position;
        onCheckpoint?.(position);
      }
    };
    try {
      while (!this.closed) {
        let caughtUp = false;
        let target: bigint | undefined;
        const catchUp = () => {
          if (caughtUp) return;
          caughtUp = true;
          onCaughtUp?.(position);
          reportCheckpoint();
        };
        try {
          target = await this.source.headPosition();
          if (this.closed) return;
          this.raw = this.source.gateway.subscribeToAll({
            from: fromPositionAfter(position),
            filter: this.filter.server,
            maxSearchWindow: this.source.maxSearchWindow,
          });
          if (position >= target) catchUp();
          let pending: Promise<IteratorResult<EsdbSubscriptionItem, undefined>> | undefined;
          for (;;) {
            pending ??= this.raw.next();
            const step = await this.nextStep(pending);
            if (step.kind === 'closed') return;
            if (step.kind === 'idle') {
              // Nothing from the server for a while: see whether the head can be checkpointed.
              const head = await this.source.headPosition();
              if (head > position && (await this.source.anyMatchBetween(position, head, this.filter.matches)) === false) {
                position = head;
                reportCheckpoint();
              }
              if (target !== undefined && position >= target) catchUp();
              continue;
            }
            pending = undefined;
            if (step.result.done) throw new Error('the EventStoreDB subscription ended');
            const item = step.result.value;
            failures = 0;
            switch (item.kind) {
              case 'event': {
                const eventPosition = positionOf(item.record);
                if (eventPosition <= position) break; // already delivered before a resubscription
                if (this.filter.matches(item.record)) {
                  const event = this.source.present(item.record, eventPosition);
                  if (this.closed) return;
                  yield event;
                }
                position = eventPosition;
                break;
              }
              case 'checkpoint': {
                const checkpoint = checkpointEventPosition(item.position) ?? (await this.source.lastEventBefore(item.position));
                if (checkpoint > position) position = checkpoint;
                reportCheckpoint();
                break;
              }
              case 'caughtUp':
                catchUp();
                break;
              case 'fellBehind':
                caughtUp = false;
                target = undefined;
                break;
            }
            if (target !== undefined && position >= target) catchUp();
          }
        } catch (error) {
          if (this.closed) return;
          await this.raw?.close().catch(() => undefined);
          this.raw = undefined;
          failures += 1;
          const delays = this.source.reconnectDelaysMs;
          const delay = delays[Math.min(failures, delays.length) - 1] ?? 1_000;
          this.source.onDropped?.(error, failures, delay);
          await this.sleep(delay);
        }
      }
    } finally {
      await this.raw?.close().catch(() => undefined);
      this.release();
    }
  }

  /** The next server item, an idle tick, or the close — whichever comes first. */
  private nextStep(pending: Promise<IteratorResult<EsdbSubscriptionItem, undefined>>): Promise<Step> {
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise<Step>((resolve, reject) => {
      const timer = setTimeout(() => finish({ kind: 'idle' }), this.source.idleCheckpointMs);
      const finish = (step: Step) => {
        clearTimeout(timer);
        this.wakeOnClose = undefined;
        resolve(step);
      };
      this.wakeOnClose = () => finish({ kind: 'closed' });
      pending.then(
        (result) => finish({ kind: 'item', result }),
        (error: unknown) => {
          clearTimeout(timer);
          this.wakeOnClose = undefined;
          reject(error);
        },
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeOnClose = () => {
        this.wakeOnClose = undefined;
        done();
      };
    });
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease(this);
  }
}
