/** A small LRU of folded states per stream (Map keeps insertion order; re-insert on access). */
export interface CachedState<State> {
  readonly revision: bigint;
  readonly state: State;
}

export class StateCache<State> {
  private readonly entries = new Map<string, CachedState<State>>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): CachedState<State> | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: CachedState<State>): void {
    const current = this.entries.get(streamId);
    // Never move the cache backwards (a slower concurrent load may finish after a newer one).
    if (current && current.revision > entry.revision) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }
}
