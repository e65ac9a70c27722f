/**
 * The reminder state of each partnership in the read store (`<schema>.reminder_states`), kept by the
 * scheduler — the checkpointed consumer of `$all` — in the same transaction as its checkpoint. Not a
 * read model: no admin rebuild ever touches it, so a rebuild cannot schedule or issue anything.
 *
 * Each row also records what it folded (the last revision of `partnership-<id>` and of
 * `reminders-<id>`), so a reader can bring it up to the log's present by folding only the tails of
 * the two streams (`currentReminderState`): a job that fires re-checks against the current state,
 * never against a consumer that may lag; and the jobs last scheduled for it (`jobs`), so that a
 * reconciliation can remove the ones no longer wanted.
 */
import { PARTNERSHIP_STREAM_PREFIX, partnershipStreamId, type PartnershipEvent } from '@trellis/domain';
import { runMigrations, type EventStore, type RecordedEvent, type SqlClient, type SqlExecutor } from '@trellis/event-store';
import { REMINDERS_STREAM_PREFIX, remindersStreamId, type ReminderIssued } from '../reminder.events';
import { evolveReminderState, initialReminderState, type ReminderInputEvent, type ReminderState } from '../reminder.state';

export interface ReminderStateRow {
  readonly partnershipId: string;
  readonly state: ReminderState;
  /** Last folded revision of `partnership-<id>` (-1: none). */
  readonly partnershipRevision: bigint;
  /** Last folded revision of `reminders-<id>` (-1: none). */
  readonly remindersRevision: bigint;
  /** `$all` position of the last folded event. */
  readonly position: bigint;
  /** Job ids scheduled at the last reconciliation. */
  readonly jobs: readonly string[];
  /** False while the row changed after its jobs were last reconciled. */
  readonly reconciled: boolean;
}

interface Row {
  partnership_id: string;
  state: ReminderState | string;
  partnership_revision: string;
  reminders_revision: string;
  position: string;
  jobs: string[] | string;
  reconciled: boolean;
}

const COLUMNS = `partnership_id, state, partnership_revision::text AS partnership_revision, reminders_revision::text AS reminders_revision,
  position::text AS position, jobs, reconciled`;

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

const toRow = (r: Row): ReminderStateRow => ({
  partnershipId: r.partnership_id,
  state: json(r.state),
  partnershipRevision: BigInt(r.partnership_revision),
  remindersRevision: BigInt(r.reminders_revision),
  position: BigInt(r.position),
  jobs: json(r.jobs),
  reconciled: r.reconciled,
});

export const emptyStateRow = (partnershipId: string): ReminderStateRow => ({
  partnershipId,
  state: initialReminderState(),
  partnershipRevision: -1n,
  remindersRevision: -1n,
  position: 0n,
  jobs: [],
  reconciled: true,
});

/** The partnership a stream belongs to, for the two streams reminders read. */
export function partnershipOfStream(streamId: string): { partnershipId: string; stream: 'partnership' | 'reminders' } | undefined {
  if (streamId.startsWith(PARTNERSHIP_STREAM_PREFIX)) return { partnershipId: streamId.slice(PARTNERSHIP_STREAM_PREFIX.length), stream: 'partnership' };
  if (streamId.startsWith(REMINDERS_STREAM_PREFIX)) return { partnershipId: streamId.slice(REMINDERS_STREAM_PREFIX.length), stream: 'reminders' };
  return undefined;
}

/** A stored event as the reminder fold reads it (time and id from the envelope). */
export function toReminderInput(event: RecordedEvent): ReminderInputEvent {
  const meta = event.metadata as Record<string, unknown>;
  const recordedAt = typeof meta['recordedAt'] === 'string' ? meta['recordedAt'] : '';
  const occurredAt = typeof meta['occurredAt'] === 'string' ? meta['occurredAt'] : recordedAt;
  return { type: event.type, data: event.data, metadata: { eventId: event.eventId, occurredAt, recordedAt } } as PartnershipEvent | ReminderIssued;
}

/** Folds stored events (of one partnership's two streams, in position order) into a row. */
export function foldIntoRow(row: ReminderStateRow, events: readonly RecordedEvent[]): ReminderStateRow {
  let { state, partnershipRevision, remindersRevision, position } = row;
  for (const event of events) {
    const of = partnershipOfStream(event.streamId);
    if (!of || of.partnershipId !== row.partnershipId) continue;
    if (of.stream === 'partnership') {
      if (event.revision <= partnershipRevision) continue;
      partnershipRevision = event.revision;
    } else {
      if (event.revision <= remindersRevision) continue;
      remindersRevision = event.revision;
    }
    state = evolveReminderState(state, toReminderInput(event));
    if (event.position > position) position = event.position;
  }
  return { ...row, state, partnershipRevision, remindersRevision, position };
}

export class ReminderStateStore {
  readonly table: string;

  constructor(
    readonly sql: SqlClient,
    readonly schema: string,
  ) {
    this.table = `${schema}.reminder_states`;
  }

  async migrate(): Promise<void> {
    await runMigrations(this.sql, {
      schema: this.schema,
      component: 'reminders',
      migrations: [
        {
          id: '001-reminder-states',
          statements: [
            `CREATE TABLE IF NOT EXISTS ${this.table} (
               partnership_id text PRIMARY KEY,
               state jsonb NOT NULL,
               partnership_revision bigint NOT NULL DEFAULT -1,
               reminders_revision bigint NOT NULL DEFAULT -1,
               position bigint NOT NULL DEFAULT 0,
               jobs jsonb NOT NULL DEFAULT '[]'::jsonb,
               reconciled boolean NOT NULL DEFAULT false,
               has_clocks boolean NOT NULL DEFAULT false,
               updated_at timestamptz NOT NULL DEFAULT now())`,
            `CREATE INDEX IF NOT EXISTS reminder_states_unreconciled ON ${this.table} (partnership_id) WHERE NOT reconciled`,
          ],
        },
      ],
    });
  }

  async get(partnershipId: string, executor: SqlExecutor = this.sql): Promise<ReminderStateRow | null> {
    const { rows } = await executor.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE partnership_id = $1`, [partnershipId]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async getMany(executor: SqlExecutor, partnershipIds: readonly string[]): Promise<Map<string, ReminderStateRow>> {
    if (partnershipIds.length === 0) return new Map();
    const { rows } = await executor.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE partnership_id = ANY($1::text[])`, [partnershipIds]);
    return new Map(rows.map((r) => [r.partnership_id, toRow(r)]));
  }

  /** Writes folded rows, marking them as needing reconciliation (in the consumer's batch transaction). */
  async save(executor: SqlExecutor, rows: readonly ReminderStateRow[]): Promise<void> {
    if (rows.length === 0) return;
    // One statement for the batch (one row per partnership: the fold groups by partnership).
    await executor.query(
      `INSERT INTO ${this.table} (partnership_id, state, partnership_revision, reminders_revision, position, jobs, reconciled, has_clocks, updated_at)
       SELECT partnership_id, state, partnership_revision, reminders_revision, position, jobs, false, has_clocks, now()
         FROM jsonb_to_recordset($1::jsonb) AS r(partnership_id text, state jsonb, partnership_revision bigint, reminders_revision bigint,
                                                 position bigint, jobs jsonb, has_clocks boolean)
       ON CONFLICT (partnership_id) DO UPDATE SET state = EXCLUDED.state, partnership_revision = EXCLUDED.partnership_revision,
         reminders_revision = EXCLUDED.reminders_revision, position = EXCLUDED.position, reconciled = false,
         has_clocks = EXCLUDED.has_clocks, updated_at = now()`,
      [
        JSON.stringify(
          rows.map((r) => ({
            partnership_id: r.partnershipId,
            state: r.state,
            partnership_revision: r.partnershipRevision.toString(),
            reminders_revision: r.remindersRevision.toString(),
            position: r.position.toString(),
            jobs: r.jobs,
            has_clocks: Object.keys(r.state.clocks).length > 0,
          })),
        ),
      ],
    );
  }

  /** Records the jobs scheduled for the row as folded up to `position`; false when it changed meanwhile. */
  async markReconciled(partnershipId: string, position: bigint, jobs: readonly string[]): Promise<boolean> {
    const { rows } = await this.sql.query(
      `UPDATE ${this.table} SET jobs = $3::jsonb, reconciled = true WHERE partnership_id = $1 AND position = $2::bigint RETURNING partnership_id`,
      [partnershipId, position.toString(), JSON.stringify(jobs)],
    );
    return rows.length > 0;
  }

  /** Rows whose jobs were not reconciled since they changed (a crash between commit and scheduling). */
  async unreconciled(limit: number): Promise<ReminderStateRow[]> {
    const { rows } = await this.sql.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE NOT reconciled ORDER BY partnership_id LIMIT $1`, [limit]);
    return rows.map(toRow);
  }

  /** Rows with open clocks or scheduled jobs, a page at a time (a full resynchronisation). */
  async active(after: string, limit: number): Promise<ReminderStateRow[]> {
    const { rows } = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE partnership_id > $1 AND (has_clocks OR jobs <> '[]'::jsonb) ORDER BY partnership_id LIMIT $2`,
      [after, limit],
    );
    return rows.map(toRow);
  }
}

/**
 * The partnership's reminder state as of the log's present: the stored row plus the tails of its two
 * streams the consumer has not folded yet (usually none), merged in position order.
 */
export async function currentReminderState(
  store: EventStore,
  states: ReminderStateStore,
  partnershipId: string,
  /** The whole reminders stream, when the caller has just read it (a view consistent with what it lists). */
  remindersStream?: readonly RecordedEvent[],
): Promise<ReminderStateRow> {
  const row = (await states.get(partnershipId)) ?? emptyStateRow(partnershipId);
  const tail: RecordedEvent[] = [];
  if (remindersStream) tail.push(...remindersStream.filter((e) => e.revision > row.remindersRevision));
  else for await (const e of store.readStream(remindersStreamId(partnershipId), { fromRevision: row.remindersRevision + 1n })) tail.push(e);
  for await (const e of store.readStream(partnershipStreamId(partnershipId), { fromRevision: row.partnershipRevision + 1n })) tail.push(e);
  if (tail.length === 0) return row;
  tail.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  return foldIntoRow(row, tail);
}
