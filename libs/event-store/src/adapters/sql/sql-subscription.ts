/**
 * Catch-up subscription to `$all` over SQL: read pages after the last position until the head, then
 * wait for a wake-up (NOTIFY or a local append) or the poll interval, and read again. Correct only
 * because the visible log is always a gap-free prefix of positions (sql-event-store.schema.ts): a
 * `position > last` read can never miss an event that commits later.
 */
import type { EventSubscription, RecordedEvent, SubscribeAllOptions } from '../../core/event-store.port';
import type { ChangeSignal } from './change-signal';
import type { CompiledFilter } from './sql-event-store';

export interface SubscriptionSource {
  readonly pageSize: number;
  readonly pollIntervalMs: number;
  readonly signal: ChangeSignal;
  /** Events with `after < position <= upTo` (no upper bound when undefined), ascending, at most `limit`. */
  readPage(after: bigint, limit: number, filter: CompiledFilter | undefined, upTo?: bigint): Promise<RecordedEvent[]>;
  headPosition(): Promise<bigint>;
}

/**
 * With a filter, pages are bounded by a position window so that a rarely matching filter neither
 * scans to the head in one query nor goes without a checkpoint for long. Positions are gapless, so
 * a window of N positions is at most N rows.
 */
const FILTER_WINDOW_PAGES = 20n;

export class SqlSubscription implements EventSubscription {
  private readonly abort = new AbortController();
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;
  private closed = false;
  private released = false;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly options: SubscribeAllOptions,
    private readonly filter: CompiledFilter | undefined,
    private readonly onRelease: (subscription: SqlSubscription) => void,
  ) {
    // LISTEN before the first read, so nothing appended after that read goes unnoticed.
    source.signal.acquire();
    this.iterator = this.run();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    await this.release();
  }

  private async *run(): AsyncGenerator<RecordedEvent, void, undefined> {
    const { pageSize, pollIntervalMs, signal } = this.source;
    const { onCaughtUp, onCheckpoint } = this.options;
    const window = BigInt(pageSize) * FILTER_WINDOW_PAGES;
    let position = this.options.after ?? 0n;
    let checkpoint = position;
    let caughtUp = false;
    // Callbacks run when the consumer asks for more, i.e. after it has handled every event yielded
    // so far; a checkpoint saved from them never runs ahead of the consumer.
    const reportCheckpoint = () => {
      if (onCheckpoint && position > checkpoint) onCheckpoint(position);
      if (position > checkpoint) checkpoint = position;
    };
    try {
      while (!this.closed) {
        const seen = signal.current;
        if (this.filter === undefined) {
          const page = await this.source.readPage(position, pageSize, undefined);
          for (const event of page) {
            if (this.closed) return;
            yield event;
            position = event.position;
          }
          if (page.length === pageSize) {
            caughtUp = false; // a full page: we are (or fell) behind
            continue;
          }
        } else {
          const head = await this.source.headPosition();
          if (head > position) {
            const upTo = head - position > window ? position + window : head;
            const page = await this.source.readPage(position, pageSize, this.filter, upTo);
            for (const event of page) {
              if (this.closed) return;
              yield event;
              position = event.position;
            }
            if (page.length === pageSize) {
              caughtUp = false;
              continue;
            }
            // Everything up to `upTo` has been scanned, matching or not.
            position = upTo;
            reportCheckpoint();
            continue;
          }
        }
        if (this.closed) return;
        if (!caughtUp) {
          caughtUp = true;
          onCaughtUp?.(position);
        }
        reportCheckpoint();
        await signal.wait(seen, pollIntervalMs, this.abort.signal);
      }
    } finally {
      await this.release();
    }
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.onRelease(this);
    await this.source.signal.release();
  }
}
