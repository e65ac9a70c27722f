/**
 * The BullMQ side of projections (DESIGN.md §7), safe with any number of worker replicas:
 *  - a job scheduler per projection enqueues a `run` job every few seconds; a run job takes the
 *    projection's lease (or finds it held and ends at once) and follows `$all` for a time slice —
 *    so exactly one runner per projection is active, and a dead worker's projection is taken over
 *    as soon as its lease expires;
 *  - `rebuild` jobs replay a projection blue/green, reporting progress through the job; they are
 *    retried after a crash and resume from their checkpoint.
 */
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { JobSchedulerKeeper, QUEUES } from '@trellis/platform';
import { ProjectionRunner, WORKER_LINGER_MS, type RunOutcome } from '../runtime/projection-runner';
import { ProjectionRebuilder, RebuildAlreadyRunningError, RebuildInterruptedError, type RebuildOutcome } from '../runtime/projection-rebuilder';
import { ProjectionsService } from './projections.service';
import { PROJECTION_JOBS, type RebuildJobData, type RunJobData } from './projections.tokens';

/** How often each projection's runner job is offered to the workers. */
const RUN_EVERY_MS = 3_000;
/**
 * How long a job stays locked to a worker that stopped renewing (a SIGKILLed process), and how
 * often stalled jobs are looked for: together, the longest a dead worker's rebuild waits before
 * another worker resumes it. Read once at start-up (decorator options are static).
 */
const JOB_LOCK_MS = envInt(process.env['PROJECTION_JOB_LOCK_MS'], 30_000, 1_000);
/** A live runner's lease: how soon another worker takes over a projection whose runner died. */
const LEASE_MS = envInt(process.env['PROJECTION_LEASE_MS'], 15_000, 1_000);
/** Under a steady stream, at most one batch per runner per this long (ProjectionRunner `lingerMs`); 0 turns it off. */
const LINGER_MS = envInt(process.env['PROJECTION_LINGER_MS'], WORKER_LINGER_MS, 0, 10_000);
/** Events per rebuild batch (one transaction); larger is faster and uses more memory. */
const REBUILD_BATCH = envInt(process.env['PROJECTION_REBUILD_BATCH'], 10_000, 1_000);

@Processor(QUEUES.projections, {
  // Runners are long-lived jobs (one per projection) plus rebuilds.
  concurrency: 32,
  lockDuration: JOB_LOCK_MS,
  stalledInterval: Math.max(1_000, Math.floor(JOB_LOCK_MS / 2)),
  // A stalled rebuild is resumed, not failed; a stalled runner slice is simply offered again.
  maxStalledCount: 100,
})
export class ProjectionsProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Projections');
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private closing = false;
  private schedulers: JobSchedulerKeeper | undefined;

  constructor(
    private readonly projections: ProjectionsService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @InjectQueue(QUEUES.projections) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const names = new Set(this.projections.projections.map((p) => p.name));
    // Re-created should Redis lose them (a runner's checkpoint is in the read store: it resumes there).
    this.schedulers = new JobSchedulerKeeper(
      this.queue,
      [...names].map((name) => {
        const data: RunJobData = { projection: name };
        return { id: `projection-runner:${name}`, every: RUN_EVERY_MS, template: { name: PROJECTION_JOBS.run, data, opts: { removeOnComplete: true, removeOnFail: 100 } } };
      }),
      this.logger,
    );
    await this.schedulers.start();
    // Schedulers of projections this build no longer has would only produce failing jobs.
    for (const scheduler of await this.queue.getJobSchedulers()) {
      const match = /^projection-runner:(.+)$/.exec(scheduler.key ?? '');
      if (match && !names.has(match[1]!)) await this.queue.removeJobScheduler(scheduler.key);
    }
    // A version bump in code: rebuild blue/green, all changed projections in one pass (only one
    // replica's request wins the claims).
    const outdated = (await this.projections.list()).filter((s) => s.status === 'outdated').map((s) => s.name);
    if (outdated.length > 0) await this.rebuildForVersion(outdated);
  }

  onModuleDestroy(): void {
    // Running slices and rebuilds notice between batches and stop; rebuilds resume elsewhere.
    this.closing = true;
    this.schedulers?.stop();
  }

  async process(job: Job<RunJobData | RebuildJobData>): Promise<unknown> {
    switch (job.name) {
      case PROJECTION_JOBS.run:
        return this.run(job as Job<RunJobData>);
      case PROJECTION_JOBS.rebuild:
        return this.rebuild(job as Job<RebuildJobData>);
      default:
        throw new Error(`Unknown projections job ${job.name}`);
    }
  }

  private async run(job: Job<RunJobData>): Promise<{ outcome: RunOutcome }> {
    const projection = this.projections.projection(job.data.projection);
    // One lease owner per job, not per process: the scheduler offers a new run job every few
    // seconds while a slice may still be running here, and that job must find the lease busy.
    const owner = `${this.owner}:${job.id ?? randomBytes(4).toString('hex')}`;
    const runner = new ProjectionRunner(this.store, this.projections.registry, projection, owner, { leaseMs: LEASE_MS, lingerMs: LINGER_MS }, this.logger);
    const outcome = await runner.run(() => this.closing);
    if (outcome === 'outdated') await this.rebuildForVersion([projection.name]);
    // The next slice at once (on whichever worker takes the job), not at the scheduler's next tick: a
    // pause of up to RUN_EVERY_MS every slice would show in the lag.
    if (outcome === 'time-slice-over' && !this.closing) {
      await this.queue.add(PROJECTION_JOBS.run, job.data, { removeOnComplete: true, removeOnFail: 100 });
    }
    return { outcome };
  }

  private async rebuild(job: Job<RebuildJobData>): Promise<{ outcome: RebuildOutcome }> {
    const projections = job.data.projections.map((name) => this.projections.projection(name));
    const names = projections.map((p) => p.name).join(', ');
    const rebuilder = new ProjectionRebuilder(this.store, this.projections.registry, projections, { leaseMs: LEASE_MS, batchSize: REBUILD_BATCH });
    try {
      const outcome = await rebuilder.rebuild(job.id!, job.data.reason, (progress) => job.updateProgress(progress), () => this.closing);
      this.logger.log(`Rebuild of ${names} ${outcome} (job ${job.id})`);
      return { outcome };
    } catch (error) {
      if (error instanceof RebuildInterruptedError) throw error; // retried; resumes from its checkpoint
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.logger.error(`Rebuild of ${names} failed${last ? ' for good' : ', will retry'}: ${(error as Error).message}`);
      if (last) await rebuilder.abandon(job.id!, undefined, `rebuild failed: ${(error as Error).message}`);
      throw error;
    }
  }

  private async rebuildForVersion(names: readonly string[]): Promise<void> {
    try {
      await this.projections.requestRebuild(names, 'version change');
    } catch (error) {
      if (!(error instanceof RebuildAlreadyRunningError)) throw error;
    }
  }
}


/** An integer setting read at start-up: the fallback when unset, blank, not an integer or out of [min, max]. */
function envInt(raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}
