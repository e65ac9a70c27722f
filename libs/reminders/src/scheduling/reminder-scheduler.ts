/**
 * The reminder scheduler (DESIGN.md §8): a checkpointed reader of `$all` that folds every partnership's
 * events and `ReminderIssued` events into its reminder state (`reminder_states`), in one read-store
 * transaction with its checkpoint; after each commit it reconciles the BullMQ delayed jobs of the
 * partnerships it touched — a job for every pending reminder step (deterministic ids: re-adding one is
 * a no-op), and the jobs no longer wanted removed (satisfied, cancelled, frozen by a pause, moved).
 *
 * It reuses the projections' lease and fence (ProjectionRegistry) under a name no read model has, so
 * exactly one scheduler is active across worker replicas, one that lost its lease cannot commit, and a
 * crash at any point resumes from the checkpoint. It is not a read model: the admin API neither lists
 * nor rebuilds it, so a rebuild never schedules or issues a reminder. Rows changed but not reconciled
 * (a crash between commit and scheduling) are picked up by the sweep; a full resynchronisation now and
 * then re-adds jobs lost with Redis.
 *
 * Removing jobs is hygiene, not correctness: a job that fires re-checks the current state and does
 * nothing when its reminder is no longer due.
 */
import type { Queue } from 'bullmq';
import type { EventStore, RecordedEvent, SqlExecutor } from '@trellis/event-store';
import { followerRegistration, followFenced, type FollowOutcome, type FollowerLogger, type ProjectionRegistry } from '@trellis/projections';
import type { ReminderSettings } from '../reminder-settings';
import { pendingReminders } from '../reminder.schedule';
import { delayUntil, MAX_REMINDER_JOB_DELAY_MS, REMINDER_JOB_OPTIONS, REMINDER_JOBS, reminderJobData, reminderJobIdOf } from './reminder-jobs';
import { emptyStateRow, foldIntoRow, partnershipOfStream, type ReminderStateRow, type ReminderStateStore } from './reminder-state.store';

/** A Redis key (in the queue's namespace) that says the delayed jobs were resynchronised since Redis last lost its data. */
const RESYNC_MARKER = 'scheduler-resynced';

interface MarkerClient {
  exists(key: string): Promise<number>;
  set(key: string, value: string): Promise<unknown>;
}

/** The scheduler's row in the projection registry (a name no read model may take). */
export const REMINDER_SCHEDULER_NAME = 'reminder_scheduler';

/** Registered (for its registry row) but never run as a projection. */
export const REMINDER_SCHEDULER_REGISTRATION = followerRegistration(REMINDER_SCHEDULER_NAME);

export interface SchedulerOptions {
  /** Events per transaction (default 500). */
  readonly batchSize?: number;
  /** Lease length; renewed at a third of it (default 15 s). */
  readonly leaseMs?: number;
  /** Flush a partial batch after this pause in the stream (default 5 ms). */
  readonly flushMs?: number;
  /** End the time slice after this long (default 60 s), so the work can move between replicas. */
  readonly maxRunMs?: number;
  /** How often rows left unreconciled are looked for (default 5 s). */
  readonly sweepMs?: number;
  /**
   * Under a steady stream, at most one batch per this long (default 0): the appends of a busy
   * partnership fold into one row write and one reconciliation instead of one each.
   */
  readonly lingerMs?: number;
  /** How often every active row's jobs are re-added (default 15 min; the first slice of a process does it too). */
  readonly resyncMs?: number;
  /** The longest job delay: later due times are reached in hops (default MAX_REMINDER_JOB_DELAY_MS). */
  readonly maxDelayMs?: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

export type SchedulerOutcome = FollowOutcome;
export type SchedulerLogger = FollowerLogger;

export class ReminderScheduler {
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly flushMs: number;
  private readonly maxRunMs: number;
  private readonly sweepMs: number;
  private readonly lingerMs: number;
  private readonly resyncMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private resyncedAt = 0;

  constructor(
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    private readonly states: ReminderStateStore,
    private readonly queue: Queue,
    private readonly settings: ReminderSettings,
    options: SchedulerOptions = {},
    private readonly logger?: SchedulerLogger,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.flushMs = options.flushMs ?? 5;
    this.maxRunMs = options.maxRunMs ?? 60_000;
    this.sweepMs = options.sweepMs ?? 5_000;
    this.lingerMs = options.lingerMs ?? 0;
    this.resyncMs = options.resyncMs ?? 15 * 60_000;
    this.maxDelayMs = options.maxDelayMs ?? MAX_REMINDER_JOB_DELAY_MS;
    this.now = options.now ?? Date.now;
  }

  /** Creates the registry and the state table and the scheduler's registry row (idempotent). */
  async prepare(): Promise<void> {
    await this.registry.migrate();
    await this.states.migrate();
    await this.registry.ensure([REMINDER_SCHEDULER_REGISTRATION]);
  }

  async checkpoint(): Promise<bigint> {
    return (await this.registry.get(REMINDER_SCHEDULER_NAME))?.checkpoint ?? 0n;
  }

  /**
   * Runs one time slice as the lease holder (see followFenced): folds each batch into the touched
   * partnerships' rows with the checkpoint, then reconciles their jobs; sweeps while holding the lease
   * and resyncs with the queue now and then. Returns `busy` at once when another scheduler holds it.
   */
  async run(owner: string, shouldStop: () => boolean = () => false): Promise<SchedulerOutcome> {
    return followFenced(
      this.store,
      this.registry,
      {
        name: REMINDER_SCHEDULER_NAME,
        label: 'Reminder scheduler',
        apply: (tx, batch) => this.fold(tx, batch),
        afterCommit: (touched) => this.reconcileAll(touched),
        housekeeping: {
          everyMs: this.sweepMs,
          run: async () => {
            if (await this.resyncDue()) {
              await this.resync();
              this.resyncedAt = Date.now();
              await this.markResynced();
            }
            await this.sweep();
          },
        },
      },
      owner,
      { batchSize: this.batchSize, leaseMs: this.leaseMs, flushMs: this.flushMs, maxRunMs: this.maxRunMs, lingerMs: this.lingerMs },
      shouldStop,
      this.logger,
    );
  }

  /** Folds the batch into the touched partnerships' rows (in the follower's fenced transaction). */
  private async fold(tx: SqlExecutor, batch: readonly RecordedEvent[]): Promise<ReminderStateRow[]> {
    const byPartnership = new Map<string, RecordedEvent[]>();
    for (const event of batch) {
      const of = partnershipOfStream(event.streamId);
      if (!of || of.partnershipId === '') continue;
      const list = byPartnership.get(of.partnershipId) ?? [];
      list.push(event);
      byPartnership.set(of.partnershipId, list);
    }
    const rows = await this.states.getMany(tx, [...byPartnership.keys()]);
    const folded = [...byPartnership.entries()].map(([id, events]) => foldIntoRow(rows.get(id) ?? emptyStateRow(id), events));
    await this.states.save(tx, folded);
    return folded;
  }

  private async reconcileAll(rows: readonly ReminderStateRow[]): Promise<void> {
    for (const row of rows) {
      try {
        await this.reconcile(row);
      } catch (error) {
        // Left unreconciled: the sweep retries it.
        this.logger?.warn(`Reminder scheduler: could not schedule the reminders of partnership ${row.partnershipId} (the sweep will retry): ${(error as Error).message}`);
      }
    }
  }

  /**
   * Makes the queue hold exactly the jobs of the row's pending reminders: adds them (a no-op for those
   * already there) and removes the ones scheduled before that are no longer pending. Returns the job ids.
   */
  async reconcile(row: ReminderStateRow): Promise<string[]> {
    const nowMs = this.now();
    const pending = row.state.partnershipId === undefined ? [] : pendingReminders(row.state, this.settings, new Date(nowMs));
    const wanted = pending.map((r) => ({ id: reminderJobIdOf(r), reminder: r }));
    const ids = new Set(wanted.map((w) => w.id));
    for (const stale of row.jobs) {
      if (ids.has(stale)) continue;
      // A job already running (locked) cannot be removed; it will find its reminder not due.
      await this.queue.remove(stale).catch(() => undefined);
    }
    if (wanted.length > 0) {
      await this.queue.addBulk(
        wanted.map((w) => ({
          name: REMINDER_JOBS.reminder,
          data: reminderJobData(w.reminder),
          // `timestamp` + `delay` is then exactly the due time (or the hop).
          opts: { ...REMINDER_JOB_OPTIONS, jobId: w.id, timestamp: nowMs, delay: delayUntil(w.reminder.dueAt, nowMs, this.maxDelayMs) },
        })),
      );
    }
    await this.states.markReconciled(row.partnershipId, row.position, [...ids]);
    return [...ids];
  }

  /** Reconciles rows that changed but were not reconciled (a crash or a Redis outage after the commit). */
  async sweep(): Promise<void> {
    try {
      for (;;) {
        const rows = await this.states.unreconciled(200);
        if (rows.length === 0) return;
        let progressed = false;
        for (const row of rows) {
          try {
            await this.reconcile(row);
            progressed = true;
          } catch (error) {
            this.logger?.warn(`Reminder scheduler: sweep could not schedule partnership ${row.partnershipId}: ${(error as Error).message}`);
          }
        }
        if (!progressed || rows.length < 200) return;
      }
    } catch (error) {
      this.logger?.warn(`Reminder scheduler: sweep failed: ${(error as Error).message}`);
    }
  }

  /**
   * A resync is due on a process's first slice, every `resyncMs`, and at once when Redis has lost its
   * data (restarted empty, failed over, flushed): the marker the last resync left in Redis is gone
   * with the delayed jobs, whichever replica ran it.
   */
  private async resyncDue(): Promise<boolean> {
    if (this.resyncedAt === 0 || Date.now() - this.resyncedAt > this.resyncMs) return true;
    try {
      return (await (await this.redis()).exists(this.resyncMarkerKey())) === 0;
    } catch {
      return false; // Redis unreachable: the next housekeeping looks again
    }
  }

  private async markResynced(): Promise<void> {
    try {
      await (await this.redis()).set(this.resyncMarkerKey(), new Date().toISOString());
    } catch (error) {
      this.logger?.warn(`Reminder scheduler: could not record the resync in Redis: ${(error as Error).message}`);
    }
  }

  /** The queue's own connection (ioredis: BullMQ's client type names only what BullMQ itself needs). */
  private async redis(): Promise<MarkerClient> {
    return (await this.queue.client) as unknown as MarkerClient;
  }

  private resyncMarkerKey(): string {
    return this.queue.toKey(RESYNC_MARKER);
  }

  /** Re-adds the jobs of every row with open clocks (jobs lost with Redis come back; the others are no-ops). */
  async resync(): Promise<void> {
    try {
      let after = '';
      for (;;) {
        const rows = await this.states.active(after, 200);
        for (const row of rows) await this.reconcile(row).catch((error: Error) => this.logger?.warn(`Reminder scheduler: resync of ${row.partnershipId}: ${error.message}`));
        if (rows.length < 200) return;
        after = rows[rows.length - 1]!.partnershipId;
      }
    } catch (error) {
      this.logger?.warn(`Reminder scheduler: resync failed: ${(error as Error).message}`);
    }
  }
}
