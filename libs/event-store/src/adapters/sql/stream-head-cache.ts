/**
 * Bounded LRU of the highest (revision, hash) this process has seen per stream. The hash chain is
 * computed in JS, so an append needs the hash of the event at its expected revision; events are
 * immutable, so a cached (stream, revision) → hash is always true, never stale. Only "is it still
 * the head?" can be out of date, and the append function checks that under its lock.
 */
export interface KnownRevision {
  readonly revision: bigint;
  readonly hash: string;
}

export class StreamHeadCache {
  private readonly entries = new Map<string, KnownRevision>();

  constructor(private readonly capacity: number) {}

  /** The highest known revision of the stream (a guess at its head). */
  get(streamId: string): KnownRevision | undefined {
    const entry = this.entries.get(streamId);
    if (entry) this.touch(streamId, entry);
    return entry;
  }

  hashAt(streamId: string, revision: bigint): string | undefined {
    const entry = this.get(streamId);
    return entry && entry.revision === revision ? entry.hash : undefined;
  }

  /** Records a fact; keeps the higher revision when one is already known. */
  learn(streamId: string, revision: bigint, hash: string): void {
    if (this.capacity <= 0 || revision < 0n) return;
    const entry = this.entries.get(streamId);
    if (entry && entry.revision >= revision) {
      this.touch(streamId, entry);
      return;
    }
    this.touch(streamId, { revision, hash });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Records the head as just read under the append lock; replaces whatever was known. */
  observeHead(streamId: string, revision: bigint, hash: string): void {
    if (revision < 0n) {
      this.entries.delete(streamId);
      return;
    }
    this.entries.delete(streamId);
    this.learn(streamId, revision, hash);
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(streamId: string, entry: KnownRevision): void {
    // Map iteration follows insertion order: re-inserting makes the entry the most recent.
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
  }
}
