/**
 * Turns a pull-based event subscription into batches: take what is immediately available up to a
 * size, flush when the stream pauses briefly, and come back empty after a longer idle wait so the
 * caller can renew its lease or stop.
 */
import type { RecordedEvent } from '@trellis/event-store';

const TIMEOUT = Symbol('timeout');

export class EventBatcher {
  private pending: Promise<IteratorResult<RecordedEvent>> | undefined;
  private done = false;

  constructor(private readonly iterator: AsyncIterator<RecordedEvent>) {}

  get exhausted(): boolean {
    return this.done;
  }

  /** Up to `maxSize` events; returns early after `flushMs` without a new event, or empty after `idleMs`. */
  async next(maxSize: number, flushMs: number, idleMs: number): Promise<RecordedEvent[]> {
    const batch: RecordedEvent[] = [];
    while (batch.length < maxSize && !this.done) {
      this.pending ??= this.iterator.next();
      const wait = batch.length === 0 ? idleMs : flushMs;
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        this.pending,
        new Promise<typeof TIMEOUT>((resolve) => {
          timer = setTimeout(() => resolve(TIMEOUT), wait);
        }),
      ]);
      clearTimeout(timer);
      if (result === TIMEOUT) break;
      this.pending = undefined;
      if (result.done) {
        this.done = true;
        break;
      }
      batch.push(result.value);
    }
    return batch;
  }
}
