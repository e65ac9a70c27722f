/**
 * Stored snapshots of partnership states for asOf queries (docs/architecture.md "asOf snapshots"), in
 * the read store (PostgreSQL or PGlite): the state folded from the first `events` events of a stream,
 * every `every` events, with the time figures `planAsOf` needs. A cache derived from the log, never a
 * source of truth: rows of another PARTNERSHIP_STATE_VERSION are ignored and removed at start-up,
 * and dropping the table loses nothing but speed. The log holds no personal data (names live in the
 * people vault), so neither do the snapshots.
 */
import { runMigrations, type SqlClient } from '@trellis/event-store';
import type { SnapshotSummary } from './as-of-plan';

export interface NewSnapshot extends SnapshotSummary {
  /** The state as JSON. */
  readonly state: string;
}

interface SummaryRow {
  revision_text: string;
  events: number;
  max_recorded_at: string;
  max_occurred_at: string;
  segment_min_recorded_at: string;
  segment_min_occurred_at: string;
}

export class PartnershipSnapshotStore {
  private readonly table: string;

  constructor(
    private readonly sql: SqlClient,
    private readonly schema: string,
    /** Snapshots of any other version are not used. */
    private readonly stateVersion: number,
  ) {
    this.table = `${schema}.partnership_snapshots`;
  }

  async migrate(): Promise<void> {
    await runMigrations(this.sql, {
      schema: this.schema,
      component: 'partnership-snapshots',
      migrations: [
        {
          id: '001-partnership-snapshots',
          statements: [
            `CREATE TABLE IF NOT EXISTS ${this.table} (
              stream_id text NOT NULL,
              state_version integer NOT NULL,
              revision bigint NOT NULL,
              events integer NOT NULL,
              max_recorded_at text NOT NULL,
              max_occurred_at text NOT NULL,
              segment_min_recorded_at text NOT NULL,
              segment_min_occurred_at text NOT NULL,
              state text NOT NULL,
              created_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (stream_id, state_version, revision))`,
          ],
        },
      ],
    });
  }

  /** Removes the snapshots of other state versions (a deploy changed the fold); returns how many. */
  async removeOtherVersions(): Promise<number> {
    const { rows } = await this.sql.query<{ n: string }>(
      `WITH gone AS (DELETE FROM ${this.table} WHERE state_version <> $1 RETURNING 1) SELECT count(*)::text AS n FROM gone`,
      [this.stateVersion],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The stream's snapshots of this version, in stream order, without their states. */
  async summaries(streamId: string): Promise<SnapshotSummary[]> {
    const { rows } = await this.sql.query<SummaryRow>(
      `SELECT revision::text AS revision_text, events, max_recorded_at, max_occurred_at, segment_min_recorded_at, segment_min_occurred_at
         FROM ${this.table} WHERE stream_id = $1 AND state_version = $2 ORDER BY revision`,
      [streamId, this.stateVersion],
    );
    return rows.map((r) => ({
      revision: BigInt(r.revision_text),
      events: Number(r.events),
      maxRecordedAt: r.max_recorded_at,
      maxOccurredAt: r.max_occurred_at,
      segmentMinRecordedAt: r.segment_min_recorded_at,
      segmentMinOccurredAt: r.segment_min_occurred_at,
    }));
  }

  /** The state (JSON) of one snapshot; undefined when it is gone (removed in between). */
  async state(streamId: string, revision: bigint): Promise<string | undefined> {
    const { rows } = await this.sql.query<{ state: string }>(
      `SELECT state FROM ${this.table} WHERE stream_id = $1 AND state_version = $2 AND revision = $3::bigint`,
      [streamId, this.stateVersion, revision.toString()],
    );
    return rows[0]?.state;
  }

  /** Stores a snapshot; one already there (another replica got there first) is kept. */
  async save(streamId: string, snapshot: NewSnapshot): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.table} (stream_id, state_version, revision, events, max_recorded_at, max_occurred_at,
              segment_min_recorded_at, segment_min_occurred_at, state)
       VALUES ($1, $2, $3::bigint, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        streamId,
        this.stateVersion,
        snapshot.revision.toString(),
        snapshot.events,
        snapshot.maxRecordedAt,
        snapshot.maxOccurredAt,
        snapshot.segmentMinRecordedAt,
        snapshot.segmentMinOccurredAt,
        snapshot.state,
      ],
    );
  }
}
