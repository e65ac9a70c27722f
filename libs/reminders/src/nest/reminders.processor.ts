/**
 * The reminders queue's processor, safe with any number of worker replicas (the projections' pattern):
 * a job scheduler offers a `scheduler` job every few seconds; it takes the scheduler's lease (or finds
 * it held and ends at once) and follows `$all` for a time slice. `reminder` jobs fire delayed reminders
 * and `email` jobs send them (see ReminderJobHandler).
 */
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { EVENT_STORE, type EventStore, type SqlClient } from '@trellis/event-store';
import { JobSchedulerKeeper, QUEUES, SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { ProjectionRegistry } from '@trellis/projections';
import { RECIPIENT_RESOLVER, type RecipientResolver } from '../delivery/recipient-resolver';
import { ReminderMailer } from '../delivery/reminder-mailer';
import { REMINDER_CONFIG, type ReminderConfig } from '../scheduling/reminder-config';
import { ReminderIssuer } from '../scheduling/reminder-issuer';
import { ReminderJobHandler } from '../scheduling/reminder-job-handler';
import { REMINDER_JOBS } from '../scheduling/reminder-jobs';
import { ReminderScheduler } from '../scheduling/reminder-scheduler';
import { ReminderStateStore } from '../scheduling/reminder-state.store';

/** How often the scheduler's slice is offered to the workers (also the longest wait after a takeover). */
const SCHEDULE_EVERY_MS = 2_000;
/** A SIGKILLed worker's jobs are retried elsewhere after this long (read once: decorator options are static). */
const JOB_LOCK_MS = positiveInt(process.env['REMINDER_JOB_LOCK_MS'], 30_000);

@Processor(QUEUES.reminders, {
  concurrency: 8,
  lockDuration: JOB_LOCK_MS,
  stalledInterval: Math.max(1_000, Math.floor(JOB_LOCK_MS / 2)),
  maxStalledCount: 100,
})
export class RemindersProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reminders');
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly scheduler: ReminderScheduler;
  private readonly handler: ReminderJobHandler;
  private readonly schedulers: JobSchedulerKeeper;
  private closing = false;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SQL_CLIENT) sql: SqlClient,
    @Inject(TRELLIS_CONFIG) config: TrellisConfig,
    @Inject(REMINDER_CONFIG) reminders: ReminderConfig,
    @Inject(ReminderStateStore) states: ReminderStateStore,
    @Inject(RECIPIENT_RESOLVER) resolver: RecipientResolver,
    @InjectQueue(QUEUES.reminders) queue: Queue,
  ) {
    super();
    const registry = new ProjectionRegistry(sql, config.dbSchema);
    this.scheduler = new ReminderScheduler(store, registry, states, queue, reminders.settings, { leaseMs: reminders.schedulerLeaseMs, lingerMs: reminders.schedulerLingerMs }, this.logger);
    const issuer = new ReminderIssuer(store, states, queue, reminders.settings, reminders.smtp !== undefined);
    const mailer = reminders.smtp ? new ReminderMailer(store, resolver, createTransport(reminders.smtp.url), reminders.smtp.from, this.logger) : undefined;
    this.handler = new ReminderJobHandler(this.scheduler, issuer, mailer, this.owner, () => this.closing, this.logger);
    // Re-created should Redis lose it (the scheduler then also resyncs the delayed jobs lost with it).
    this.schedulers = new JobSchedulerKeeper(
      queue,
      [{ id: 'reminder-scheduler', every: SCHEDULE_EVERY_MS, template: { name: REMINDER_JOBS.scheduler, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } } }],
      this.logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.scheduler.prepare();
    await this.schedulers.start();
  }

  onModuleDestroy(): void {
    this.closing = true;
    this.schedulers.stop();
  }

  process(job: Job, token?: string): Promise<unknown> {
    return this.handler.process(job, token);
  }
}

function positiveInt(raw: string | undefined, fallback: number): number {
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 1_000 ? n : fallback;
}
