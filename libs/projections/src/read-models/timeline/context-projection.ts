/**
 * Read models whose rows come from a fold that must be seen event by event: the audit timeline (one
 * row per event, written from the state just before it) and the participation ledger (one row per
 * phase occurrence, final once the occurrence is left). `documentProjection` keeps only the state
 * after a batch, so these fold a small per-key CONTEXT document and collect rows as they go.
 *
 * Set-based per batch, like `documentProjection`: ONE select of the touched contexts, the fold in
 * memory, the upsert of the contexts, and `writeRows` — called every couple of thousand rows as the
 * fold goes (a statement per row table and ~1 MB of JSON), so a batch's rows are never all held at
 * once. `step` is pure — the rows are returned, never pushed into shared state — so one projection
 * value may apply batches of two generations at once (a live runner beside a rebuild).
 *
 * Contexts are stored as `json`, not `jsonb`: a context is only ever read and rewritten whole by
 * its key (no query looks inside it), and every event of its partnership rewrites it, so the
 * cheaper write (the text as given, no conversion to jsonb) is what matters.
 */
import type { RecordedEvent } from '@trellis/event-store';
import { writeJsonRecords } from '../../core/json-records';
import type { Projection, ProjectionContext, ProjectionTable } from '../../core/projection';

export interface ContextStep<Ctx, Row> {
  /** The next context; `null` keeps none (e.g. events of a stream before its proposal). */
  readonly context: Ctx | null;
  readonly rows: readonly Row[];
}

export interface ContextProjectionOptions<Ctx, Row> {
  readonly name: string;
  readonly version: number;
  readonly eventTypes: readonly string[];
  /** Logical name of the contexts table (`key`, `doc`, `position`). */
  readonly contextTable: string;
  /** The context an event belongs to; `undefined` skips the event. */
  key(event: RecordedEvent): string | undefined;
  initial(key: string): Ctx;
  /** Pure: the context after the event and the rows it produces. */
  step(context: Ctx, event: RecordedEvent): ContextStep<Ctx, Row>;
  /** The row tables (the contexts table is added). */
  readonly rowTables: readonly ProjectionTable[];
  /**
   * Writes rows of the batch being applied, set-based, in the batch's transaction: called as they
   * accumulate (every `rowsPerWrite` rows or so, then once for the rest), only with rows.
   */
  writeRows(rows: readonly Row[], ctx: ProjectionContext): Promise<void>;
  /**
   * Rows held before they are written while a batch is folded (default 2,000: about 1 MB of JSON for
   * the timeline). A whole batch's rows at once — one per event for the timeline — would all be held,
   * with their JSON, while the batch is written.
   */
  readonly rowsPerWrite?: number;
}

export interface ContextProjection<Ctx, Row> extends Projection {
  readonly contextTable: string;
  /** For specs: the same fold the projection applies, over a whole history of one key. */
  fold(key: string, events: readonly RecordedEvent[]): { context: Ctx | null; rows: Row[] };
}

export function contextProjection<Ctx, Row>(options: ContextProjectionOptions<Ctx, Row>): ContextProjection<Ctx, Row> {
  const contextsTable: ProjectionTable = {
    name: options.contextTable,
    create: (t) => [
      `CREATE TABLE ${t} (key text PRIMARY KEY, doc json NOT NULL, position bigint NOT NULL)`,
      // Every event of a partnership rewrites its context: leave room on each page for HOT updates.
      `ALTER TABLE ${t} SET (fillfactor = 70)`,
    ],
  };

  const rowsPerWrite = Math.max(1, options.rowsPerWrite ?? 2_000);

  const foldEvents = (start: Ctx | undefined, key: string, events: readonly RecordedEvent[], rows: Row[]): Ctx | null => {
    let context: Ctx | null | undefined = start;
    for (const e of events) {
      const step = options.step(context ?? options.initial(key), e);
      context = step.context;
      for (const row of step.rows) rows.push(row);
    }
    return context ?? null;
  };

  return {
    name: options.name,
    version: options.version,
    eventTypes: options.eventTypes,
    tables: [contextsTable, ...options.rowTables],
    contextTable: options.contextTable,

    fold(key, events) {
      const rows: Row[] = [];
      const context = foldEvents(undefined, key, events, rows);
      return { context, rows };
    },

    async apply(events, ctx) {
      const byKey = new Map<string, RecordedEvent[]>();
      for (const e of events) {
        const key = options.key(e);
        if (key === undefined) continue;
        const list = byKey.get(key);
        if (list) list.push(e);
        else byKey.set(key, [e]);
      }
      if (byKey.size === 0) return;
      const t = ctx.table(options.contextTable);
      const { rows: stored } = await ctx.query<{ key: string; doc: Ctx }>(`SELECT key, doc FROM ${t} WHERE key = ANY($1::text[])`, [[...byKey.keys()]]);
      const current = new Map(stored.map((r) => [r.key, r.doc] as const));

      const rows: Row[] = [];
      const upserts: Array<{ key: string; doc: Ctx; position: string }> = [];
      const deletes: string[] = [];
      for (const [key, list] of byKey) {
        const context = foldEvents(current.get(key), key, list, rows);
        if (context === null) {
          if (current.has(key)) deletes.push(key);
        } else {
          upserts.push({ key, doc: context, position: list[list.length - 1]!.position.toString() });
        }
        if (rows.length >= rowsPerWrite) {
          await options.writeRows(rows, ctx);
          rows.length = 0;
        }
      }
      if (upserts.length > 0) {
        await writeJsonRecords(
          ctx,
          `INSERT INTO ${t} (key, doc, position)
           SELECT key, doc, position FROM json_to_recordset($1::json) AS r(key text, doc json, position bigint)
           ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc, position = EXCLUDED.position`,
          upserts,
        );
      }
      if (deletes.length > 0) await ctx.query(`DELETE FROM ${t} WHERE key = ANY($1::text[])`, [deletes]);
      if (rows.length > 0) await options.writeRows(rows, ctx);
    },
  };
}
