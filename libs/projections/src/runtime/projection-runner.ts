/**
 * The live runner of one projection: holds the projection's lease, follows `$all` from the
 * checkpoint (catch-up, then live), and commits each batch's read-model writes together with the
 * fenced checkpoint move. Several runners may be started for the same projection (on every worker
 * replica); only the lease holder applies anything, and a holder that lost its lease cannot commit.
 */
import type { EventStore, RecordedEvent } from '@trellis/event-store';
import { generationContext } from '../core/generations';
import type { Projection } from '../core/projection';
import { EventBatcher } from './batching';
import { LeaseLostError, type ProjectionRegistry } from './projection-registry';

export interface RunnerOptions {
  /** Events per transaction (default 500). */
  readonly batchSize?: number;
  /** Lease length; renewed at a third of it (default 15 s). */
  readonly leaseMs?: number;
  /** Flush a partial batch after this pause in the stream (default 10 ms). */
  readonly flushMs?: number;
  /** Give up the time slice after this long (default 60 s), so work rebalances across replicas. */
  readonly maxRunMs?: number;
  /** How often an idle filtered runner records the position it has scanned to (default 1 s). */
  readonly idleCheckpointMs?: number;
  /**
   * Under a steady stream, at most one batch per this long (default 0: none): after a batch, the
   * runner reads on only this long after it read the previous one, so the events that arrived
   * meanwhile go into one transaction instead of one each. An event after a quiet spell is read at
   * once; under load it waits at most this long. Every live runner reads `$all` and commits for every
   * append it sees, and on a busy single process those reads and commits were most of the CPU.
   */
  readonly lingerMs?: number;
}

/** The `lingerMs` of the worker's live runners unless `PROJECTION_LINGER_MS` says otherwise. */
export const WORKER_LINGER_MS = 50;

export type RunOutcome = 'busy' | 'stopped' | 'time-slice-over' | 'lease-lost' | 'superseded' | 'outdated' | 'rebuilding-version' | 'failing';

export interface RunnerLogger {
  warn(message: string): void;
  error(message: string): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly flushMs: number;
  private readonly maxRunMs: number;
  private readonly idleCheckpointMs: number;
  private readonly lingerMs: number;

  constructor(
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    private readonly projection: Projection,
    private readonly owner: string,
    options: RunnerOptions = {},
    private readonly logger?: RunnerLogger,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.flushMs = options.flushMs ?? 10;
    this.maxRunMs = options.maxRunMs ?? 60_000;
    this.idleCheckpointMs = options.idleCheckpointMs ?? 1_000;
    // Never so long that the lease (renewed at a third of it) could lapse while the runner waits.
    this.lingerMs = Math.min(options.lingerMs ?? 0, this.leaseMs / 6);
  }

  /**
   * Runs until `shouldStop()`, the time slice ends, or the lease is lost. Returns immediately with
   * `busy` when another runner holds the lease, and with `outdated` when the live generation was built
   * by another version of the projection (a rebuild must produce the new version first).
   */
  async run(shouldStop: () => boolean = () => false): Promise<RunOutcome> {
    const p = this.projection;
    const lease = await this.registry.acquireLease(p.name, this.owner, this.leaseMs);
    if (!lease) return 'busy';
    if (lease.version !== p.version) {
      await this.registry.releaseLease(p.name, this.owner);
      return lease.rebuild?.version === p.version ? 'rebuilding-version' : 'outdated';
    }
    const generation = lease.generation;
    let checkpoint = lease.checkpoint;
    let scanned = checkpoint;
    let lastIdleCheckpointAt = 0;
    let renewedAt = Date.now();
    let lastBatchAt = 0;
    const started = Date.now();

    const subscription = this.store.subscribeAll({
      after: checkpoint,
      filter: { eventTypes: p.eventTypes },
      onCheckpoint: (position) => {
        if (position > scanned) scanned = position;
      },
    });
    const batcher = new EventBatcher(subscription[Symbol.asyncIterator]());
    let outcome: RunOutcome = 'stopped';
    try {
      for (;;) {
        if (shouldStop()) return (outcome = 'stopped');
        if (Date.now() - started > this.maxRunMs) return (outcome = 'time-slice-over');
        if (Date.now() - renewedAt > this.leaseMs / 3) {
          const renewed = await this.registry.acquireLease(p.name, this.owner, this.leaseMs);
          if (!renewed) return (outcome = 'lease-lost');
          // We hold the lease again, but the projection moved on without us (a rebuild swapped in a
          // new generation): end the slice and let the next one start from the new state.
          if (renewed.generation !== generation || renewed.checkpoint !== checkpoint) return (outcome = 'superseded');
          renewedAt = Date.now();
        }

        const linger = lastBatchAt + this.lingerMs - Date.now();
        if (linger > 0) await sleep(linger);
        const batch = await batcher.next(this.batchSize, this.flushMs, Math.min(1_000, this.leaseMs / 6));
        if (batch.length > 0) lastBatchAt = Date.now();
        if (batch.length === 0) {
          // Idle. A filtered runner may have scanned past events it does not read: record that,
          // so its lag reads zero and a restart does not rescan them (throttled).
          if (scanned > checkpoint && Date.now() - lastIdleCheckpointAt > this.idleCheckpointMs) {
            // `scanned` moves while the commit is awaited (the subscription reads on): commit, and
            // remember, the value taken here.
            const target = scanned;
            try {
              await this.commit(generation, checkpoint, target, []);
            } catch (error) {
              if (error instanceof LeaseLostError) return (outcome = 'lease-lost');
              throw error;
            }
            checkpoint = target;
            lastIdleCheckpointAt = Date.now();
          }
          if (batcher.exhausted) return (outcome = 'stopped');
          continue;
        }

        const to = batch[batch.length - 1]!.position;
        try {
          // The subscription delivers strictly after the checkpoint; anything else is a bug that
          // must show (as lastError), neither applied twice nor skipped.
          if (batch[0]!.position <= checkpoint) throw new Error(`the subscription delivered position ${batch[0]!.position}, at or before the checkpoint ${checkpoint}`);
          await this.commit(generation, checkpoint, to, batch);
        } catch (error) {
          if (error instanceof LeaseLostError) return (outcome = 'lease-lost');
          const message = `apply failed at positions ${batch[0]!.position}–${to}: ${(error as Error).message}`;
          this.logger?.error(`Projection ${p.name}: ${message}`);
          await this.registry.recordError(p.name, message).catch(() => undefined);
          // The subscription has moved past this batch: end the slice; the next one restarts from the
          // checkpoint after a pause (a poison event shows as lastError in the admin status).
          return (outcome = 'failing');
        }
        checkpoint = to;
        if (scanned < checkpoint) scanned = checkpoint;
      }
    } finally {
      await subscription.close();
      if (outcome !== 'lease-lost') await this.registry.releaseLease(p.name, this.owner).catch(() => undefined);
      if (outcome === 'failing') await sleep(1_000);
    }
  }

  private async commit(generation: number, from: bigint, to: bigint, batch: readonly RecordedEvent[]): Promise<void> {
    const p = this.projection;
    const last = batch[batch.length - 1];
    await this.registry.sql.transaction(async (tx) => {
      // Fenced before anything is written (an idle checkpoint move too): see ProjectionRegistry.fenceLive.
      await this.registry.fenceLive(tx, { name: p.name, owner: this.owner, generation, from });
      if (batch.length > 0) await p.apply(batch, generationContext(tx, this.registry.schema, p, generation));
      await this.registry.advanceLive(tx, {
        name: p.name,
        owner: this.owner,
        to,
        applied: batch.length,
        ...(typeof last?.metadata['recordedAt'] === 'string' ? { lastRecordedAt: last.metadata['recordedAt'] } : {}),
      });
    });
  }
}
