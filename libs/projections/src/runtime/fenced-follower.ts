/**
 * A checkpointed follower of `$all` that is not a read model (the webhook dispatcher, the reminder
 * scheduler): it holds a row of the projection registry under its own name and uses its lease and
 * fence exactly like a projection runner's live slice — exactly one active across worker replicas,
 * one that lost its lease commits nothing, a crash resumes from the checkpoint — but it is never
 * rebuilt and never listed as a projection.
 *
 * One time slice (`followFenced`): take the lease (or answer `busy`), follow `$all` after the
 * checkpoint in batches (EventBatcher), and for each batch run `apply` inside ONE fenced transaction
 * that also moves the checkpoint; then `afterCommit` with what `apply` returned (side effects that
 * must not run before the commit: enqueueing jobs). `housekeeping` runs at most every `everyMs` while
 * the lease is held. A failing batch is recorded as the row's lastError and ends the slice after a
 * pause; the next slice restarts from the checkpoint.
 */
import type { EventStore, RecordedEvent, SqlExecutor } from '@trellis/event-store';
import type { Projection } from '../core/projection';
import { EventBatcher } from './batching';
import { LeaseLostError, type ProjectionRegistry } from './projection-registry';

export type FollowOutcome = 'busy' | 'stopped' | 'time-slice-over' | 'lease-lost' | 'failing';

/** The registry row of a follower: registered (for its lease and checkpoint) but never run as a projection. */
export function followerRegistration(name: string): Projection {
  return {
    name,
    version: 1,
    eventTypes: [],
    tables: [],
    apply: async () => {
      throw new Error(`${name} is not a projection`);
    },
  };
}

export interface FollowerLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface FollowerOptions {
  /** Events per transaction. */
  readonly batchSize: number;
  /** Lease length; renewed at a third of it. */
  readonly leaseMs: number;
  /** Flush a partial batch after this pause in the stream. */
  readonly flushMs: number;
  /** End the time slice after this long, so the work can move between replicas. */
  readonly maxRunMs: number;
  /** Under a steady stream, at most one batch per this long (ProjectionRunner's `lingerMs`; default 0). */
  readonly lingerMs?: number;
}

export interface FollowerStep<Result> {
  /** Registry name. */
  readonly name: string;
  /** Prefix of logged and recorded errors, e.g. `Webhook dispatcher`. */
  readonly label: string;
  /** The batch's effects, in the fenced transaction that moves the checkpoint from `from` to the batch's end. */
  apply(tx: SqlExecutor, batch: readonly RecordedEvent[], from: bigint): Promise<Result>;
  /** After the commit, with what `apply` returned (errors are the step's to handle). */
  afterCommit?(result: Result, batch: readonly RecordedEvent[]): Promise<void>;
  /** Periodic work while the lease is held (a sweep), at most every `everyMs`. */
  readonly housekeeping?: { readonly everyMs: number; run(): Promise<void> };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function followFenced<Result>(
  store: EventStore,
  registry: ProjectionRegistry,
  step: FollowerStep<Result>,
  owner: string,
  options: FollowerOptions,
  shouldStop: () => boolean = () => false,
  logger?: FollowerLogger,
): Promise<FollowOutcome> {
  const lease = await registry.acquireLease(step.name, owner, options.leaseMs);
  if (!lease) return 'busy';
  const generation = lease.generation;
  let checkpoint = lease.checkpoint;
  let renewedAt = Date.now();
  let housekeptAt = 0;
  let lastBatchAt = 0;
  const started = Date.now();
  const subscription = store.subscribeAll({ after: checkpoint });
  const batcher = new EventBatcher(subscription[Symbol.asyncIterator]());
  let outcome: FollowOutcome = 'stopped';
  try {
    for (;;) {
      if (shouldStop()) return (outcome = 'stopped');
      if (Date.now() - started > options.maxRunMs) return (outcome = 'time-slice-over');
      if (Date.now() - renewedAt > options.leaseMs / 3) {
        const renewed = await registry.acquireLease(step.name, owner, options.leaseMs);
        if (!renewed || renewed.checkpoint !== checkpoint) return (outcome = 'lease-lost');
        renewedAt = Date.now();
      }
      if (step.housekeeping && Date.now() - housekeptAt > step.housekeeping.everyMs) {
        await step.housekeeping.run();
        housekeptAt = Date.now();
      }
      // Never so long that the lease (renewed at a third of it) could lapse while the follower waits.
      const linger = lastBatchAt + Math.min(options.lingerMs ?? 0, options.leaseMs / 6) - Date.now();
      if (linger > 0) await sleep(linger);
      const batch = await batcher.next(options.batchSize, options.flushMs, Math.min(1_000, options.leaseMs / 6));
      if (batch.length === 0) {
        if (batcher.exhausted) return (outcome = 'stopped');
        continue;
      }
      lastBatchAt = Date.now();
      const from = checkpoint;
      const to = batch[batch.length - 1]!.position;
      let result: Result;
      try {
        // The subscription delivers strictly after the checkpoint; anything else is a bug that must
        // show (as lastError), neither applied twice nor skipped.
        if (batch[0]!.position <= from) throw new Error(`the subscription delivered position ${batch[0]!.position}, at or before the checkpoint ${from}`);
        result = await registry.sql.transaction(async (tx) => {
          // Fenced before anything is written: a follower that lost its lease records nothing.
          await registry.fenceLive(tx, { name: step.name, owner, generation, from });
          const applied = await step.apply(tx, batch, from);
          const last = batch[batch.length - 1];
          await registry.advanceLive(tx, {
            name: step.name,
            owner,
            to,
            applied: batch.length,
            ...(typeof last?.metadata['recordedAt'] === 'string' ? { lastRecordedAt: last.metadata['recordedAt'] } : {}),
          });
          return applied;
        });
      } catch (error) {
        if (error instanceof LeaseLostError) return (outcome = 'lease-lost');
        const message = `failed at positions ${batch[0]!.position}–${to}: ${(error as Error).message}`;
        logger?.error(`${step.label}: ${message}`);
        await registry.recordError(step.name, message).catch(() => undefined);
        return (outcome = 'failing');
      }
      checkpoint = to;
      await step.afterCommit?.(result, batch);
    }
  } finally {
    await subscription.close();
    // Also after a lost lease: releasing only ever frees a lease this owner still holds (a fence that
    // failed on a moved checkpoint), so the next slice starts at once instead of after the lease expires.
    await registry.releaseLease(step.name, owner).catch(() => undefined);
    if (outcome === 'failing') await sleep(1_000);
  }
}
