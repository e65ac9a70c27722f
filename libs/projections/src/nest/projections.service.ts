/**
 * Projections as seen by both apps: makes sure the registry and every projection's live tables
 * and views exist (at start-up, so queries work before any worker ran), reports status and lag,
 * and turns admin requests into rebuild jobs.
 */
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { EVENT_STORE, type EventStore, type SqlClient } from '@trellis/event-store';
import { QUEUES, SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { assertUniqueNames, type Projection } from '../core/projection';
import { ProjectionRegistry, type RegistryRow } from '../runtime/projection-registry';
import { RebuildAlreadyRunningError } from '../runtime/projection-rebuilder';
import { PROJECTION_JOBS, PROJECTIONS, type RebuildJobData } from './projections.tokens';

export type ProjectionState = 'running' | 'idle' | 'rebuilding' | 'outdated' | 'failing';

export interface ProjectionStatus {
  name: string;
  /** Version of the code running here, and of the live generation's build. */
  codeVersion: number;
  version: number;
  generation: number;
  status: ProjectionState;
  checkpoint: string;
  head: string;
  /** `$all` positions not yet processed (events of other types count too, and are skipped fast). */
  lag: string;
  /** Milliseconds from the last applied event's recording to its commit in the read model. */
  lastBatchLagMs: number | null;
  lastAppliedAt: string | null;
  eventsApplied: string;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  lastError: string | null;
  rebuild: null | {
    jobId: string;
    reason: string | null;
    generation: number;
    version: number;
    startedAt: string;
    position: string;
    head: string | null;
    eventsPerSecond: number | null;
    etaSeconds: number | null;
    percent: number | null;
    cancelRequested: boolean;
  };
}

export class UnknownProjectionError extends Error {
  constructor(readonly projection: string) {
    super(`No projection named ${projection}`);
    this.name = 'UnknownProjectionError';
  }
}

export class NoRebuildRunningError extends Error {
  constructor(readonly projection: string) {
    super(`Projection ${projection} has no rebuild in progress`);
    this.name = 'NoRebuildRunningError';
  }
}

/** Job options of a rebuild: retried (and resumed) after crashes and shutdowns. */
export const REBUILD_JOB_OPTIONS = {
  attempts: 25,
  backoff: { type: 'fixed', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 200 },
  removeOnFail: { age: 7 * 24 * 3600, count: 200 },
} as const;

@Injectable()
export class ProjectionsService implements OnModuleInit {
  private readonly logger = new Logger('Projections');
  readonly registry: ProjectionRegistry;
  private readonly byName: ReadonlyMap<string, Projection>;

  constructor(
    @Inject(PROJECTIONS) readonly projections: readonly Projection[],
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_CLIENT) sql: SqlClient,
    @Inject(TRELLIS_CONFIG) config: TrellisConfig,
    @InjectQueue(QUEUES.projections) private readonly queue: Queue,
  ) {
    assertUniqueNames(projections);
    this.registry = new ProjectionRegistry(sql, config.dbSchema);
    this.byName = new Map(projections.map((p) => [p.name, p]));
  }

  async onModuleInit(): Promise<void> {
    await this.registry.migrate();
    await this.registry.ensure(this.projections);
  }

  projection(name: string): Projection {
    const p = this.byName.get(name);
    if (!p) throw new UnknownProjectionError(name);
    return p;
  }

  async list(): Promise<ProjectionStatus[]> {
    const [rows, head] = await Promise.all([this.registry.list([...this.byName.keys()]), this.store.headPosition()]);
    return rows.map((r) => this.toStatus(r, head));
  }

  async status(name: string): Promise<ProjectionStatus> {
    this.projection(name);
    const [row, head] = await Promise.all([this.registry.get(name), this.store.headPosition()]);
    if (!row) throw new UnknownProjectionError(name);
    return this.toStatus(row, head);
  }

  /**
   * Claims the projections (all or none) for one rebuild job — one pass over the log for all of
   * them — and enqueues it. While any of them is being rebuilt, throws RebuildAlreadyRunningError
   * (HTTP 409).
   */
  async requestRebuild(names: string | readonly string[], reason: string): Promise<{ jobId: string; projections: string[] }> {
    const list = [...new Set(typeof names === 'string' ? [names] : names)];
    if (list.length === 0) throw new Error('Nothing to rebuild');
    const projections = list.map((n) => this.projection(n));
    const jobId = `rebuild-${list.length === 1 ? list[0] : `${list.length}-projections`}-${uuidv7()}`;
    const claimed: string[] = [];
    const undo = async () => {
      for (const n of claimed) await this.registry.clearRebuild(n, jobId);
    };
    for (const p of projections) {
      if (!(await this.registry.claimRebuild(p.name, jobId, p.version, reason))) {
        await undo();
        const current = await this.registry.get(p.name);
        throw new RebuildAlreadyRunningError(p.name, current?.rebuild?.jobId ?? 'unknown');
      }
      claimed.push(p.name);
    }
    try {
      const data: RebuildJobData = { projections: list, reason };
      await this.queue.add(PROJECTION_JOBS.rebuild, data, { jobId, ...REBUILD_JOB_OPTIONS });
    } catch (error) {
      await undo();
      throw error;
    }
    this.logger.log(`Rebuild of ${list.join(', ')} requested (${reason}); job ${jobId}`);
    return { jobId, projections: list };
  }

  async cancelRebuild(name: string): Promise<{ jobId: string }> {
    this.projection(name);
    const row = await this.registry.requestCancel(name);
    if (!row?.rebuild) throw new NoRebuildRunningError(name);
    return { jobId: row.rebuild.jobId };
  }

  private toStatus(r: RegistryRow, head: bigint): ProjectionStatus {
    const codeVersion = this.byName.get(r.name)!.version;
    const leased = r.leaseOwner !== null && r.leaseExpiresAt !== null && new Date(r.leaseExpiresAt).getTime() > Date.now();
    const status: ProjectionState = r.rebuild
      ? 'rebuilding'
      : r.version !== codeVersion
        ? 'outdated'
        : r.lastError
          ? 'failing'
          : leased
            ? 'running'
            : 'idle';
    const rb = r.rebuild;
    const rbHead = rb?.head ?? null;
    const remaining = rb && rbHead !== null && rbHead > rb.checkpoint ? Number(rbHead - rb.checkpoint) : 0;
    return {
      name: r.name,
      codeVersion,
      version: r.version,
      generation: r.generation,
      status,
      checkpoint: r.checkpoint.toString(),
      head: head.toString(),
      lag: (head > r.checkpoint ? head - r.checkpoint : 0n).toString(),
      lastBatchLagMs: r.lastBatchLagMs,
      lastAppliedAt: r.lastAppliedAt,
      eventsApplied: r.eventsApplied.toString(),
      leaseOwner: leased ? r.leaseOwner : null,
      leaseExpiresAt: leased ? r.leaseExpiresAt : null,
      lastError: r.lastError,
      rebuild: rb
        ? {
            jobId: rb.jobId,
            reason: rb.reason,
            generation: rb.generation,
            version: rb.version,
            startedAt: rb.startedAt,
            position: rb.checkpoint.toString(),
            head: rbHead?.toString() ?? null,
            eventsPerSecond: rb.eventsPerSecond === null ? null : Math.round(rb.eventsPerSecond),
            etaSeconds: rb.eventsPerSecond ? Math.ceil(remaining / rb.eventsPerSecond) : null,
            percent: rbHead && rbHead > 0n ? Math.min(100, Math.floor(Number((rb.checkpoint * 10_000n) / rbHead)) / 100) : null,
            cancelRequested: rb.cancelRequested,
          }
        : null,
    };
  }
}
