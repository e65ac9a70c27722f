/**
 * Keeps the asOf snapshots of partnership streams (docs/architecture.md "asOf snapshots"): migrates
 * their table, and after a query that had to read `every` or more events past a stream's last
 * snapshot, folds that stream on from it in the background and stores a snapshot every `every`
 * events. The query itself never waits for this; the next one starts closer to its date.
 */
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import {
  partnershipDecider,
  PARTNERSHIP_STATE_VERSION,
  type PartnershipState,
} from '@trellis/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent, type SqlClient } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { fromRecorded } from '../partnership-envelope';
import { planAsOf, type AsOfPlan, type SnapshotSummary, type TimeAxis } from './as-of-plan';
import { PartnershipSnapshotStore } from './partnership-snapshots.store';
import { freezeSnapshotState } from './view-json';

/** The two times of an event as asOf compares them (`occurredAt` defaults to `recordedAt`). */
export function eventTimes(event: RecordedEvent): { recordedAt: string; occurredAt: string } {
  const recordedAt = String(event.metadata['recordedAt']);
  return { recordedAt, occurredAt: String(event.metadata['occurredAt'] ?? recordedAt) };
}

@Injectable()
export class AsOfSnapshots implements OnModuleInit {
  private readonly logger = new Logger(AsOfSnapshots.name);
  private readonly store: PartnershipSnapshotStore;
  /** Streams being caught up by this process, so two queries do not fold the same stream twice. */
  private readonly catchingUp = new Map<string, Promise<void>>();
  /** Parsed snapshot states by `stream@revision`, weighed by their JSON size; none when the cache is off. */
  private readonly parsed: LRUCache<string, { readonly state: PartnershipState; readonly size: number }> | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(SQL_CLIENT) sql: SqlClient,
    @Inject(TRELLIS_CONFIG) private readonly config: TrellisConfig,
  ) {
    this.store = new PartnershipSnapshotStore(sql, config.dbSchema, PARTNERSHIP_STATE_VERSION);
    const maxSize = config.asOfSnapshotCacheMb * 1024 * 1024;
    this.parsed = maxSize > 0 ? new LRUCache({ maxSize, sizeCalculation: (entry) => Math.max(1, entry.size) }) : undefined;
  }

  private get every(): number {
    return this.config.asOfSnapshotEvery;
  }

  async onModuleInit(): Promise<void> {
    await this.store.migrate();
    const removed = await this.store.removeOtherVersions();
    if (removed > 0) this.logger.log(`removed ${removed} asOf snapshot(s) of other partnership state versions`);
  }

  /** Where an asOf query of the stream starts and what it reads (everything, with snapshots off). */
  async plan(streamId: string, asOf: string, time: TimeAxis): Promise<AsOfPlan> {
    return planAsOf(this.every > 0 ? await this.store.summaries(streamId) : [], asOf, time);
  }

  /**
   * The stored state of a plan's base, or undefined when it was removed in between. Parsed states
   * are kept in memory (up to ASOF_SNAPSHOT_CACHE_MB of their JSON, least recently used out first)
   * and frozen: folds start from them without changing them (the folder copies what it did not build),
   * and a change by mistake would throw rather than corrupt later answers. Answers reuse the JSON of
   * the parts they share with them (view-json.ts).
   */
  async state(streamId: string, base: SnapshotSummary): Promise<PartnershipState | undefined> {
    const key = `${streamId}@${base.revision}`;
    const cached = this.parsed?.get(key);
    if (cached) return cached.state;
    const json = await this.store.state(streamId, base.revision);
    if (json === undefined) return undefined;
    const state = freezeSnapshotState(JSON.parse(json) as PartnershipState);
    // Larger than the whole cache: not kept (lru-cache refuses it).
    this.parsed?.set(key, { state, size: json.length });
    return state;
  }

  /**
   * A query read `tailEvents` events past the stream's last snapshot: with `every` or more, the
   * stream is caught up in the background (errors are logged, never thrown at the query).
   */
  noteTail(streamId: string, tailEvents: number): void {
    if (this.every === 0 || tailEvents < this.every || this.catchingUp.has(streamId)) return;
    const run = this.catchUp(streamId)
      .catch((error: unknown) => this.logger.warn(`asOf snapshots of ${streamId} not stored: ${(error as Error).message}`))
      .finally(() => this.catchingUp.delete(streamId));
    this.catchingUp.set(streamId, run);
  }

  /** Resolves when no catch-up of this process is running (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.catchingUp.size > 0) await Promise.all(this.catchingUp.values());
  }

  /** Folds the stream on from its last snapshot and stores one every `every` events. */
  async catchUp(streamId: string): Promise<void> {
    const summaries = await this.store.summaries(streamId);
    const last = summaries[summaries.length - 1];
    let state = last ? await this.state(streamId, last) : partnershipDecider.initialState();
    if (state === undefined) return; // removed in between: the next query starts again
    const step = partnershipDecider.folder!();
    let events = last?.events ?? 0;
    let maxRecordedAt = last?.maxRecordedAt ?? '';
    let maxOccurredAt = last?.maxOccurredAt ?? '';
    let segment = 0;
    let minRecordedAt = '';
    let minOccurredAt = '';
    const from = (last?.revision ?? -1n) + 1n;
    for await (const event of this.events.readStream(streamId, { fromRevision: from })) {
      state = step(state, fromRecorded(event));
      const { recordedAt, occurredAt } = eventTimes(event);
      if (recordedAt > maxRecordedAt) maxRecordedAt = recordedAt;
      if (occurredAt > maxOccurredAt) maxOccurredAt = occurredAt;
      if (segment === 0 || recordedAt < minRecordedAt) minRecordedAt = recordedAt;
      if (segment === 0 || occurredAt < minOccurredAt) minOccurredAt = occurredAt;
      events += 1;
      segment += 1;
      if (segment < this.every) continue;
      // Serialised now: the folder updates in place what it copied, so the state object changes on.
      await this.store.save(streamId, {
        revision: event.revision,
        events,
        maxRecordedAt,
        maxOccurredAt,
        segmentMinRecordedAt: minRecordedAt,
        segmentMinOccurredAt: minOccurredAt,
        state: JSON.stringify(state),
      });
      segment = 0;
    }
  }
}
