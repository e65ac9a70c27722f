/**
 * Keeps BullMQ job schedulers alive across a Redis that lost its data. Job schedulers live in Redis:
 * a Redis restarted without persistence, failed over to a replica that had not received them, or
 * flushed comes back without them, and the recurring work they offer — the projection runners, the
 * webhook dispatcher, the reminder scheduler, maintenance — would never run again (a running slice
 * may re-add its successor, but nothing else would). The keeper upserts them at start-up, then checks
 * every few seconds that they still exist and re-creates the missing ones. Upserting is idempotent,
 * so every worker replica runs a keeper.
 */
import type { Queue } from 'bullmq';

export interface KeptJobScheduler {
  readonly id: string;
  readonly every: number;
  readonly template: NonNullable<Parameters<Queue['upsertJobScheduler']>[2]>;
}

export interface JobSchedulerKeeperLogger {
  warn(message: string): void;
}

/** How often the schedulers' presence is checked (one small Redis read per scheduler). */
export const JOB_SCHEDULER_CHECK_EVERY_MS = 5_000;

export class JobSchedulerKeeper {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly queue: Queue,
    private readonly schedulers: readonly KeptJobScheduler[],
    private readonly logger?: JobSchedulerKeeperLogger,
    private readonly checkEveryMs = JOB_SCHEDULER_CHECK_EVERY_MS,
  ) {}

  /** Upserts every scheduler, then keeps checking until `stop()`. */
  async start(): Promise<void> {
    for (const s of this.schedulers) await this.queue.upsertJobScheduler(s.id, { every: s.every }, s.template);
    this.timer = setInterval(() => void this.check(), this.checkEveryMs);
    this.timer.unref();
  }

  /**
   * Re-creates the schedulers Redis no longer has; returns their ids. While Redis is unreachable the
   * check waits for it (one check at a time) and never throws.
   */
  async check(): Promise<string[]> {
    if (this.checking) return [];
    this.checking = true;
    try {
      const recreated: string[] = [];
      for (const s of this.schedulers) {
        // BullMQ answers an object even for a missing id with a ':' in it (a legacy repeat-key
        // fallback); a scheduler that exists has its next run time.
        const existing = await this.queue.getJobScheduler(s.id);
        if (existing && existing.next !== null && existing.next !== undefined) continue;
        await this.queue.upsertJobScheduler(s.id, { every: s.every }, s.template);
        recreated.push(s.id);
      }
      if (recreated.length > 0) this.logger?.warn(`Job schedulers missing from Redis (did it lose its data?) re-created: ${recreated.join(', ')}`);
      return recreated;
    } catch (error) {
      this.logger?.warn(`Job schedulers could not be checked: ${(error as Error).message}`);
      return [];
    } finally {
      this.checking = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
