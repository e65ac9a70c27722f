/**
 * Group commit for the delivery path: callers submit one item each and await its own result; items
 * submitted while a flush runs wait for the next flush, which takes all of them (up to `maxItems`).
 * One flush at a time, so a busy path gets bigger batches (one statement for hundreds of deliveries)
 * and an idle one pays one event-loop turn of delay. A failed flush rejects every item in it.
 */
export class MicroBatcher<Item, Result> {
  private pending: Array<{ item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }> = [];
  private flushing = false;

  constructor(
    private readonly run: (items: readonly Item[]) => Promise<readonly Result[]>,
    private readonly maxItems = 500,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.maxItems);
    try {
      const results = await this.run(batch.map((b) => b.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} gave ${results.length} results`);
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
    if (this.pending.length > 0) setImmediate(() => void this.flush());
    else this.flushing = false;
  }
}
