/**
 * The registry of projections in the read store: for each projection, the live generation and the
 * code version that built it, its checkpoint, the lease of its single active runner, and any
 * blue/green rebuild in flight.
 *
 * Exactly-once in effect rests on two facts, both enforced here:
 *  - a batch's read-model writes and its checkpoint move commit in ONE transaction;
 *  - that transaction starts with the fence (`fenceLive`, `fenceRebuild`): the projection's row
 *    locked and checked — lease owner, generation and checkpoint `<old>`, or the rebuild claim —
 *    before anything is written, and the live move re-checks at the end that the lease has not
 *    expired meanwhile. A runner that lost its lease (paused, partitioned, or taken over by a
 *    rebuild) writes nothing; its transaction rolls back.
 */
import { runMigrations, type SqlClient, type SqlExecutor } from '@trellis/event-store';
import { createGeneration, pointViews } from '../core/generations';
import type { Projection } from '../core/projection';

export interface RegistryRow {
  name: string;
  version: number;
  generation: number;
  checkpoint: bigint;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  lastAppliedAt: string | null;
  lastEventRecordedAt: string | null;
  lastBatchLagMs: number | null;
  lastError: string | null;
  eventsApplied: bigint;
  rebuild: null | {
    jobId: string;
    generation: number;
    version: number;
    checkpoint: bigint;
    startedAt: string;
    cancelRequested: boolean;
    head: bigint | null;
    eventsPerSecond: number | null;
    reason: string | null;
  };
}

interface Row {
  name: string;
  version: number;
  generation: number;
  checkpoint: string;
  lease_owner: string | null;
  lease_expires_at: Date | string | null;
  last_applied_at: Date | string | null;
  last_event_recorded_at: Date | string | null;
  last_batch_lag_ms: number | null;
  last_error: string | null;
  events_applied: string;
  rebuild_job_id: string | null;
  rebuild_generation: number | null;
  rebuild_version: number | null;
  rebuild_checkpoint: string | null;
  rebuild_started_at: Date | string | null;
  rebuild_cancel: boolean;
  rebuild_head: string | null;
  rebuild_events_per_second: number | null;
  rebuild_reason: string | null;
}

const COLUMNS = `name, version, generation, checkpoint::text AS checkpoint, lease_owner, lease_expires_at, last_applied_at,
  last_event_recorded_at, last_batch_lag_ms, last_error, events_applied::text AS events_applied, rebuild_job_id,
  rebuild_generation, rebuild_version, rebuild_checkpoint::text AS rebuild_checkpoint, rebuild_started_at, rebuild_cancel,
  rebuild_head::text AS rebuild_head, rebuild_events_per_second, rebuild_reason`;

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

function toRow(r: Row): RegistryRow {
  return {
    name: r.name,
    version: r.version,
    generation: r.generation,
    checkpoint: BigInt(r.checkpoint),
    leaseOwner: r.lease_owner,
    leaseExpiresAt: iso(r.lease_expires_at),
    lastAppliedAt: iso(r.last_applied_at),
    lastEventRecordedAt: iso(r.last_event_recorded_at),
    lastBatchLagMs: r.last_batch_lag_ms,
    lastError: r.last_error,
    eventsApplied: BigInt(r.events_applied),
    rebuild:
      r.rebuild_job_id === null
        ? null
        : {
            jobId: r.rebuild_job_id,
            generation: r.rebuild_generation!,
            version: r.rebuild_version!,
            checkpoint: BigInt(r.rebuild_checkpoint ?? '0'),
            startedAt: iso(r.rebuild_started_at)!,
            cancelRequested: r.rebuild_cancel,
            head: r.rebuild_head === null ? null : BigInt(r.rebuild_head),
            eventsPerSecond: r.rebuild_events_per_second,
            reason: r.rebuild_reason,
          },
  };
}

/** The runner lost its lease while working: its transaction was rolled back. */
export class LeaseLostError extends Error {
  constructor(readonly projection: string, readonly owner: string) {
    super(`Projection ${projection}: runner ${owner} no longer holds the lease`);
    this.name = 'LeaseLostError';
  }
}

/** The rebuild was cancelled or replaced while working. */
export class RebuildAbortedError extends Error {
  constructor(readonly projection: string, readonly jobId: string, readonly cancelled: boolean) {
    super(`Projection ${projection}: rebuild ${jobId} ${cancelled ? 'was cancelled' : 'is no longer the active rebuild'}`);
    this.name = 'RebuildAbortedError';
  }
}

export class ProjectionRegistry {
  readonly table: string;

  constructor(
    readonly sql: SqlClient,
    readonly schema: string,
  ) {
    this.table = `${schema}.projections`;
  }

  async migrate(): Promise<void> {
    await runMigrations(this.sql, {
      schema: this.schema,
      component: 'projections',
      migrations: [
        {
          id: '001-registry',
          statements: [
            `CREATE TABLE IF NOT EXISTS ${this.table} (
               name text PRIMARY KEY,
               version integer NOT NULL,
               generation integer NOT NULL,
               checkpoint bigint NOT NULL DEFAULT 0,
               events_applied bigint NOT NULL DEFAULT 0,
               lease_owner text,
               lease_expires_at timestamptz,
               last_applied_at timestamptz,
               last_event_recorded_at timestamptz,
               last_batch_lag_ms integer,
               last_error text,
               rebuild_job_id text,
               rebuild_generation integer,
               rebuild_version integer,
               rebuild_checkpoint bigint,
               rebuild_started_at timestamptz,
               rebuild_cancel boolean NOT NULL DEFAULT false,
               rebuild_head bigint,
               rebuild_events_per_second real,
               rebuild_reason text,
               updated_at timestamptz NOT NULL DEFAULT now())`,
          ],
        },
      ],
    });
  }

  /**
   * Makes sure every projection has a live generation: a new projection gets generation 1 (empty
   * tables, views, checkpoint 0). Idempotent and safe with several processes starting at once.
   */
  async ensure(projections: readonly Projection[]): Promise<void> {
    for (const p of projections) {
      if (await this.get(p.name)) continue;
      await this.sql.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`trellis-projection:${this.schema}:${p.name}`]);
        const { rows } = await tx.query(`SELECT 1 FROM ${this.table} WHERE name = $1`, [p.name]);
        if (rows.length > 0) return;
        await createGeneration(tx, this.schema, p, 1);
        await pointViews(tx, this.schema, p, 1);
        await tx.query(`INSERT INTO ${this.table} (name, version, generation) VALUES ($1, $2, 1)`, [p.name, p.version]);
      });
    }
  }

  async get(name: string, executor: SqlExecutor = this.sql): Promise<RegistryRow | null> {
    const { rows } = await executor.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE name = $1`, [name]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * The rows, by name; only those of `names` when given — the registry also holds the leases of
   * followers that are not read models (the webhook dispatcher, the reminder scheduler).
   */
  async list(names?: readonly string[]): Promise<RegistryRow[]> {
    const { rows } = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE $1::text[] IS NULL OR name = ANY($1::text[]) ORDER BY name`,
      [names ?? null],
    );
    return rows.map(toRow);
  }

  // --- the live runner's lease ---------------------------------------------------------------------

  /** Takes (or renews) the lease when it is free, expired, or already ours. */
  async acquireLease(name: string, owner: string, leaseMs: number): Promise<RegistryRow | null> {
    const { rows } = await this.sql.query<Row>(
      `UPDATE ${this.table} SET lease_owner = $2, lease_expires_at = clock_timestamp() + make_interval(secs => $3::float8 / 1000), updated_at = now()
       WHERE name = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at < clock_timestamp())
       RETURNING ${COLUMNS}`,
      [name, owner, leaseMs],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Takes the lease whoever holds it (a rebuild about to swap): the holder is fenced off at once. */
  async seizeLease(name: string, owner: string, leaseMs: number): Promise<void> {
    await this.sql.query(
      `UPDATE ${this.table} SET lease_owner = $2, lease_expires_at = clock_timestamp() + make_interval(secs => $3::float8 / 1000), updated_at = now() WHERE name = $1`,
      [name, owner, leaseMs],
    );
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.sql.query(`UPDATE ${this.table} SET lease_owner = NULL, lease_expires_at = NULL WHERE name = $1 AND lease_owner = $2`, [name, owner]);
  }

  /**
   * Opens a live batch's transaction: locks the projection's registry row and checks that `owner`
   * still holds an unexpired lease on `generation` at checkpoint `from`. Called BEFORE the batch is
   * applied, so a runner that lost its lease (expired during a stall, taken over by another worker,
   * fenced by a rebuild) never writes a row — not even one that a unique key would refuse — and a
   * concurrent holder waits on the row lock until this batch commits or rolls back.
   * Throws LeaseLostError (rolling the transaction back) otherwise.
   */
  async fenceLive(tx: SqlExecutor, fence: { name: string; owner: string; generation: number; from: bigint }): Promise<void> {
    const { rows } = await tx.query(
      `SELECT name FROM ${this.table}
        WHERE name = $1 AND lease_owner = $2 AND lease_expires_at > clock_timestamp() AND generation = $3 AND checkpoint = $4
        FOR UPDATE`,
      [fence.name, fence.owner, fence.generation, fence.from.toString()],
    );
    if (rows.length === 0) throw new LeaseLostError(fence.name, fence.owner);
  }

  /**
   * Moves the live checkpoint, in the batch's transaction after `fenceLive` (which checked owner,
   * generation and checkpoint and holds the row). Only what can change while the batch was applied
   * is checked again: the lease must not have expired meanwhile — a batch that outlived its lease is
   * rolled back (LeaseLostError), so the lease stays the bound on how long a stalled runner counts.
   * The batch lag saturates at the largest integer (~24.8 days): a runner catching up on events
   * recorded longer ago than that (a new projection on an old log, a long outage) must not fail.
   */
  async advanceLive(tx: SqlExecutor, move: { name: string; owner: string; to: bigint; applied: number; lastRecordedAt?: string }): Promise<void> {
    const { rows } = await tx.query(
      `UPDATE ${this.table}
          SET checkpoint = $3, events_applied = events_applied + $4, last_applied_at = clock_timestamp(),
              last_event_recorded_at = coalesce($5::timestamptz, last_event_recorded_at),
              last_batch_lag_ms = CASE WHEN $5::timestamptz IS NULL THEN last_batch_lag_ms
                                       ELSE least(2147483647, greatest(0, extract(epoch FROM clock_timestamp() - $5::timestamptz) * 1000))::integer END,
              last_error = NULL, updated_at = now()
        WHERE name = $1 AND lease_owner = $2 AND lease_expires_at > clock_timestamp()
        RETURNING name`,
      [move.name, move.owner, move.to.toString(), move.applied, move.lastRecordedAt ?? null],
    );
    if (rows.length === 0) throw new LeaseLostError(move.name, move.owner);
  }

  async recordError(name: string, message: string): Promise<void> {
    await this.sql.query(`UPDATE ${this.table} SET last_error = $2, updated_at = now() WHERE name = $1`, [name, message.slice(0, 2000)]);
  }

  // --- blue/green rebuilds -------------------------------------------------------------------------

  /**
   * Claims the projection for a rebuild by `jobId` into the next generation. Returns null when
   * another rebuild holds it (a second rebuild is refused). Re-claiming with the same job id (a
   * retried job after a crash) returns the existing claim so the rebuild resumes.
   */
  async claimRebuild(name: string, jobId: string, version: number, reason: string): Promise<RegistryRow | null> {
    const { rows } = await this.sql.query<Row>(
      `UPDATE ${this.table}
          SET rebuild_job_id = $2,
              rebuild_generation = CASE WHEN rebuild_job_id = $2 THEN rebuild_generation ELSE generation + 1 END,
              rebuild_version = CASE WHEN rebuild_job_id = $2 THEN rebuild_version ELSE $3 END,
              rebuild_checkpoint = CASE WHEN rebuild_job_id = $2 THEN rebuild_checkpoint ELSE 0 END,
              rebuild_started_at = CASE WHEN rebuild_job_id = $2 THEN rebuild_started_at ELSE now() END,
              rebuild_cancel = CASE WHEN rebuild_job_id = $2 THEN rebuild_cancel ELSE false END,
              rebuild_reason = CASE WHEN rebuild_job_id = $2 THEN rebuild_reason ELSE $4 END,
              rebuild_head = NULL, rebuild_events_per_second = NULL, updated_at = now()
        WHERE name = $1 AND (rebuild_job_id IS NULL OR rebuild_job_id = $2)
        RETURNING ${COLUMNS}`,
      [name, jobId, version, reason],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * Opens a rebuild batch's transaction: locks the row and checks the claim is still `jobId`'s, at
   * checkpoint `from`, not cancelled — before anything is written (a stalled job re-run beside its
   * still-running original must not apply a batch twice). Throws RebuildAbortedError otherwise.
   */
  async fenceRebuild(tx: SqlExecutor, fence: { name: string; jobId: string; from: bigint }): Promise<void> {
    const { rows } = await tx.query<{ rebuild_cancel: boolean }>(
      `SELECT rebuild_cancel FROM ${this.table} WHERE name = $1 AND rebuild_job_id = $2 AND rebuild_checkpoint = $3 FOR UPDATE`,
      [fence.name, fence.jobId, fence.from.toString()],
    );
    if (rows.length === 0 || rows[0]!.rebuild_cancel) {
      throw new RebuildAbortedError(fence.name, fence.jobId, rows[0]?.rebuild_cancel === true);
    }
  }

  /** Moves the rebuild's checkpoint, in the batch's transaction after `fenceRebuild` (which holds the row). */
  async advanceRebuild(tx: SqlExecutor, move: { name: string; to: bigint; head: bigint; eventsPerSecond: number }): Promise<void> {
    await tx.query(`UPDATE ${this.table} SET rebuild_checkpoint = $2, rebuild_head = $3, rebuild_events_per_second = $4, updated_at = now() WHERE name = $1`, [
      move.name,
      move.to.toString(),
      move.head.toString(),
      move.eventsPerSecond,
    ]);
  }

  async requestCancel(name: string): Promise<RegistryRow | null> {
    const { rows } = await this.sql.query<Row>(
      `UPDATE ${this.table} SET rebuild_cancel = true, updated_at = now() WHERE name = $1 AND rebuild_job_id IS NOT NULL RETURNING ${COLUMNS}`,
      [name],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * The blue/green swap, in the caller's transaction: views to the new generation, the registry to
   * the new generation, version and checkpoint, the rebuild claim and the lease cleared.
   */
  async swap(tx: SqlExecutor, projection: Projection, rebuild: { jobId: string; generation: number; version: number; checkpoint: bigint }): Promise<void> {
    await pointViews(tx, this.schema, projection, rebuild.generation);
    const { rows } = await tx.query(
      `UPDATE ${this.table}
          SET generation = $3, version = $4, checkpoint = $5, events_applied = 0, last_error = NULL,
              rebuild_job_id = NULL, rebuild_generation = NULL, rebuild_version = NULL, rebuild_checkpoint = NULL,
              rebuild_started_at = NULL, rebuild_cancel = false, rebuild_head = NULL, rebuild_events_per_second = NULL,
              rebuild_reason = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE name = $1 AND rebuild_job_id = $2 AND NOT rebuild_cancel
        RETURNING name`,
      [projection.name, rebuild.jobId, rebuild.generation, rebuild.version, rebuild.checkpoint.toString()],
    );
    if (rows.length === 0) throw new RebuildAbortedError(projection.name, rebuild.jobId, true);
  }

  /** Forgets a rebuild claim (cancelled, or failed for good). */
  async clearRebuild(name: string, jobId: string, error?: string): Promise<void> {
    await this.sql.query(
      `UPDATE ${this.table}
          SET rebuild_job_id = NULL, rebuild_generation = NULL, rebuild_version = NULL, rebuild_checkpoint = NULL,
              rebuild_started_at = NULL, rebuild_cancel = false, rebuild_head = NULL, rebuild_events_per_second = NULL,
              rebuild_reason = NULL, last_error = coalesce($3, last_error), updated_at = now()
        WHERE name = $1 AND rebuild_job_id = $2`,
      [name, jobId, error ?? null],
    );
  }
}
