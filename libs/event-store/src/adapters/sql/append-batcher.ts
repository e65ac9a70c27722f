/**
 * Group commit. Appends are serialised by the database (one advisory lock, see
 * sql-event-store.schema.ts), so sending them one by one would pay a full round trip and a commit
 * (fsync) per append. Instead, while a batch is in flight, newly submitted appends queue up and go
 * together in the next call: under load each commit carries many appends, when idle an append goes
 * out alone on the next turn of the event loop.
 */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface AppendBatcherOptions<T> {
  /** Most items in one call. */
  readonly maxItems: number;
  /** Soft cap on the summed weight (e.g. events) of one call; a single heavier item still goes alone. */
  readonly maxWeight: number;
  readonly weight: (item: T) => number;
  /** Calls allowed in flight at once (1 maximises batching; the database serialises them anyway). */
  readonly maxInFlight: number;
  /** Items sharing a key never ride in the same batch (the later one waits for the next call). */
  readonly keys?: (item: T) => Iterable<string>;
}

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

export class AppendBatcher<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private inFlight = 0;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  /** `execute` settles each item of the batch, in order; throwing rejects the whole batch. */
  constructor(
    private readonly execute: (items: T[]) => Promise<Array<Settled<R>>>,
    private readonly options: AppendBatcherOptions<T>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing is queued or in flight. */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // Let every append submitted during this turn of the event loop join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        if (this.queue.length > 0) this.schedule();
        else if (this.inFlight === 0) this.notifyIdle();
      });
    }
  }

  private take(): Array<Pending<T, R>> {
    const { keys: keysOf, maxItems, maxWeight, weight: weightOf } = this.options;
    const taken = new Set<string>();
    let count = 0;
    let weight = 0;
    // Stops at the first item that does not fit, so appends keep their submission order.
    while (count < this.queue.length && count < maxItems) {
      const item = this.queue[count]!.item;
      const next = weightOf(item);
      if (count > 0 && weight + next > maxWeight) break;
      if (keysOf) {
        const keys = [...keysOf(item)];
        if (keys.some((key) => taken.has(key))) break;
        for (const key of keys) taken.add(key);
      }
      weight += next;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async run(batch: Array<Pending<T, R>>): Promise<void> {
    let settled: Array<Settled<R>>;
    try {
      settled = await this.execute(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = settled[i];
      if (!outcome) p.reject(new Error('append batch returned fewer results than appends'));
      else if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
