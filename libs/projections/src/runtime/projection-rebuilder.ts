/**
 * Blue/green rebuild of one or several projections (DESIGN.md §7) in ONE pass over `$all`:
 * events are read once, in large batches, and each projection applies its share into the tables of
 * its new generation while the live generations keep serving. Then the rebuilder seizes the live
 * leases (fencing the live runners), applies what was appended meanwhile, and swaps views and
 * registry rows of every projection in one transaction.
 *
 * Large batches are what make a rebuild fast: a document projection loads and writes each touched
 * document once per batch, so with batches of thousands of events a partnership's document is
 * written a handful of times instead of once per event. Each batch is read before its transaction
 * opens (the embedded store has a single connection) and committed with the checkpoint moves.
 *
 * Resumable (a retried job with the same id continues from its checkpoints), cancellable between
 * batches (cancelling one member cancels the group), and free of side effects: projections only
 * write their own tables.
 */
import type { EventStore, RecordedEvent } from '@trellis/event-store';
import { createGeneration, dropGeneration, generationContext } from '../core/generations';
import type { Projection } from '../core/projection';
import { RebuildAbortedError, type ProjectionRegistry, type RegistryRow } from './projection-registry';

export interface RebuildProgress {
  readonly projections: readonly string[];
  readonly jobId: string;
  readonly phase: 'catching-up' | 'swapping' | 'done' | 'cancelled';
  /** Position of `$all` replayed so far, and the head at the last batch (decimal strings). */
  readonly position: string;
  readonly head: string;
  readonly eventsRead: number;
  /** `$all` positions replayed per second over the last batches. */
  readonly eventsPerSecond: number;
  readonly etaSeconds: number | null;
  readonly percent: number;
}

export type RebuildOutcome = 'swapped' | 'cancelled';

export class RebuildAlreadyRunningError extends Error {
  constructor(readonly projection: string, readonly jobId: string) {
    super(`Projection ${projection} is already being rebuilt (job ${jobId})`);
    this.name = 'RebuildAlreadyRunningError';
  }
}

/** A rebuild stopped because its worker is shutting down; the job is retried and resumes. */
export class RebuildInterruptedError extends Error {
  constructor(readonly projections: readonly string[]) {
    super(`Rebuild of ${projections.join(', ')} interrupted by shutdown; it resumes from its checkpoint`);
    this.name = 'RebuildInterruptedError';
  }
}

export interface RebuildOptions {
  /** Events per batch and transaction (default 10,000). */
  readonly batchSize?: number;
  readonly leaseMs?: number;
  /**
   * Member transactions of a batch in flight at once (default 2): one folding in Node while another
   * is written by PostgreSQL. More adds memory (each holds its share of the batch's documents and a
   * chunk of serialized rows) without speed on a machine whose cores are already busy.
   */
  readonly parallelism?: number;
}

interface Member {
  readonly projection: Projection;
  readonly types: ReadonlySet<string>;
  readonly generation: number;
  readonly version: number;
  checkpoint: bigint;
  /** Whether this call made the claim (so a refusal of the group can undo it). */
  readonly fresh: boolean;
}

export class ProjectionRebuilder {
  private readonly projections: readonly Projection[];
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly parallelism: number;

  constructor(
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    projections: Projection | readonly Projection[],
    options: RebuildOptions = {},
  ) {
    this.projections = Array.isArray(projections) ? projections : [projections as Projection];
    if (this.projections.length === 0) throw new Error('Nothing to rebuild');
    this.batchSize = options.batchSize ?? 10_000;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.parallelism = Math.max(1, options.parallelism ?? 2);
  }

  async rebuild(
    jobId: string,
    reason: string,
    onProgress: (progress: RebuildProgress) => Promise<void> | void = () => undefined,
    shouldStop: () => boolean = () => false,
  ): Promise<RebuildOutcome> {
    const names = this.projections.map((p) => p.name);
    const members = await this.claim(jobId, reason);
    const owner = `rebuild:${jobId}`;
    const eventTypes = [...new Set(this.projections.flatMap((p) => p.eventTypes))];
    let position = members.reduce((min, m) => (m.checkpoint < min ? m.checkpoint : min), members[0]!.checkpoint);
    let eventsRead = 0;
    const rate = new Rate();

    const report = (phase: RebuildProgress['phase'], head: bigint) => {
      const eps = rate.perSecond();
      const remaining = head > position ? Number(head - position) : 0;
      return onProgress({
        projections: names,
        jobId,
        phase,
        position: position.toString(),
        head: head.toString(),
        eventsRead,
        eventsPerSecond: Math.round(eps),
        etaSeconds: eps > 0 ? Math.ceil(remaining / eps) : remaining === 0 ? 0 : null,
        percent: head > 0n ? Math.min(100, Math.floor(Number((position * 10_000n) / head)) / 100) : 100,
      });
    };

    /** One batch of the union of the group's event types after `from`, and how far it reaches. */
    const read = async (from: bigint) => {
      const head = await this.store.headPosition();
      const batch: RecordedEvent[] = [];
      for await (const e of this.store.readAll({ after: from, maxCount: this.batchSize, filter: { eventTypes } })) batch.push(e);
      const full = batch.length >= this.batchSize;
      const last = batch[batch.length - 1]?.position ?? from;
      // A short read saw everything committed when it ran, which includes the head read before it.
      const to = full ? last : last > head ? last : head;
      return { batch, full, to, head: head > to ? head : to };
    };

    /**
     * Replays batches until a read comes back short (caught up with the head at that moment). Each
     * projection applies its share of a batch and moves its checkpoint in its own transaction, a few
     * at a time (PostgreSQL writes one member's rows while Node folds the next). The next batch is
     * read after the current one is applied, not ahead: measured on 2 cores, reading ahead made the
     * rebuild slower (the read's row parsing competes with the folds for the same thread) and held a
     * second batch in memory.
     */
    const catchUp = async (phase: RebuildProgress['phase'], holdLeases: boolean): Promise<void> => {
      for (;;) {
        if (shouldStop()) throw new RebuildInterruptedError(names);
        const { batch, full, to, head } = await read(position);
        rate.add(Number(to - position));
        await forEachLimited(members, this.parallelism, (m) =>
          this.registry.sql.transaction(async (tx) => {
            const mine = batch.filter((e) => e.position > m.checkpoint && m.types.has(e.type));
            await this.registry.fenceRebuild(tx, { name: m.projection.name, jobId, from: m.checkpoint });
            if (mine.length > 0) await m.projection.apply(mine, generationContext(tx, this.registry.schema, m.projection, m.generation));
            await this.registry.advanceRebuild(tx, { name: m.projection.name, to, head, eventsPerSecond: rate.perSecond() });
          }),
        );
        for (const m of members) m.checkpoint = to;
        position = to;
        eventsRead += batch.length;
        if (holdLeases) for (const m of members) await this.registry.seizeLease(m.projection.name, owner, this.leaseMs);
        await report(phase, head);
        if (!full) return;
      }
    };

    try {
      await catchUp('catching-up', false);
      // Fence the live runners, apply what arrived meanwhile, swap — nothing can commit in between.
      for (const m of members) await this.registry.seizeLease(m.projection.name, owner, this.leaseMs);
      await catchUp('swapping', true);
      await this.registry.sql.transaction(async (tx) => {
        for (const m of members) await this.registry.swap(tx, m.projection, { jobId, generation: m.generation, version: m.version, checkpoint: m.checkpoint });
      });
    } catch (error) {
      for (const m of members) await this.registry.releaseLease(m.projection.name, owner).catch(() => undefined);
      if (error instanceof RebuildAbortedError && error.cancelled) {
        await this.abandon(jobId, members);
        await report('cancelled', position);
        return 'cancelled';
      }
      throw error;
    }
    // Readers now use the new generations; the old tables can go.
    for (const m of members) await dropGeneration(this.registry.sql, this.registry.schema, m.projection, m.generation - 1);
    await report('done', position);
    return 'swapped';
  }

  /** Forgets the group's claims and shadow tables (cancelled, or failed for good). */
  async abandon(jobId: string, members?: readonly Pick<Member, 'projection' | 'generation'>[], error?: string): Promise<void> {
    const list =
      members ??
      (await Promise.all(this.projections.map(async (p) => ({ projection: p, row: await this.registry.get(p.name) }))))
        .filter((x): x is { projection: Projection; row: RegistryRow } => x.row?.rebuild?.jobId === jobId)
        .map((x) => ({ projection: x.projection, generation: x.row.rebuild!.generation }));
    for (const m of list) {
      await dropGeneration(this.registry.sql, this.registry.schema, m.projection, m.generation);
      await this.registry.clearRebuild(m.projection.name, jobId, error);
    }
  }

  /**
   * Claims every projection of the group for `jobId` — all or none. A fresh claim starts empty
   * tables of the next generation; a claim this job already held (a retry) resumes where it was.
   */
  private async claim(jobId: string, reason: string): Promise<Member[]> {
    const members: Member[] = [];
    for (const p of this.projections) {
      const before = await this.registry.get(p.name);
      const row = await this.registry.claimRebuild(p.name, jobId, p.version, reason);
      if (!row?.rebuild) {
        for (const m of members) if (m.fresh) await this.abandon(jobId, [m]);
        throw new RebuildAlreadyRunningError(p.name, before?.rebuild?.jobId ?? 'unknown');
      }
      const fresh = before?.rebuild?.jobId !== jobId;
      const { generation, version, checkpoint } = row.rebuild;
      if (checkpoint === 0n) await createGeneration(this.registry.sql, this.registry.schema, p, generation);
      members.push({ projection: p, types: new Set(p.eventTypes), generation, version, checkpoint, fresh });
    }
    return members;
  }
}

/** Runs `work` for every item, at most `limit` at a time; rejects with the first failure once those in flight settled. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    // After a failure no further item starts; those in flight settle.
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}

/** Events per second over a sliding window of recent batches. */
class Rate {
  private samples: Array<{ at: number; n: number }> = [];
  add(n: number): void {
    const now = Date.now();
    this.samples.push({ at: now, n });
    this.samples = this.samples.filter((s) => now - s.at < 10_000);
  }
  perSecond(): number {
    if (this.samples.length < 2) return 0;
    const span = (this.samples[this.samples.length - 1]!.at - this.samples[0]!.at) / 1000;
    const total = this.samples.slice(1).reduce((sum, s) => sum + s.n, 0);
    return span > 0 ? total / span : 0;
  }
}
