/**
 * Given/when/then for projections (STYLE.md §10): apply events with the same code path the runtime
 * uses (a generation's tables, one transaction per batch), then look at the rows.
 *
 *   const spec = await ProjectionSpecification.for(summaryProjection, sql, schema);
 *   await spec.given(events);
 *   expect(await spec.rows('docs')).toEqual([...]);
 *
 * `expectBatchInvariance` proves a projection's set-based `apply` gives the same tables whether a
 * history arrives in one batch or one event at a time — the property the runtime relies on.
 */
import type { RecordedEvent, SqlClient } from '@trellis/event-store';
import { createGeneration, generationContext, pointViews } from '../core/generations';
import type { Projection, ProjectionContext } from '../core/projection';

let counter = 0;

export class ProjectionSpecification {
  private constructor(
    readonly projection: Projection,
    readonly sql: SqlClient,
    readonly schema: string,
    readonly generation: number,
  ) {}

  /** Fresh, empty tables for `projection` in `schema` (which must exist). */
  static async for(projection: Projection, sql: SqlClient, schema: string): Promise<ProjectionSpecification> {
    const generation = 900_000 + (++counter % 99_999);
    await createGeneration(sql, schema, projection, generation);
    return new ProjectionSpecification(projection, sql, schema, generation);
  }

  /**
   * Applies the events of the projection's types — as the runtime hands them over — as one batch
   * (or in batches of `batchSize`), each in its own transaction.
   */
  async given(events: readonly RecordedEvent[], batchSize?: number): Promise<this> {
    const types = new Set(this.projection.eventTypes);
    const mine = events.filter((e) => types.has(e.type));
    const size = batchSize ?? (mine.length || 1);
    for (let i = 0; i < mine.length; i += size) {
      const batch = mine.slice(i, i + size);
      await this.sql.transaction((tx) => this.projection.apply(batch, generationContext(tx, this.schema, this.projection, this.generation)));
    }
    return this;
  }

  /** `given` again: events are appended to what was applied before. */
  when(events: readonly RecordedEvent[], batchSize?: number): Promise<this> {
    return this.given(events, batchSize);
  }

  table(name: string): string {
    return this.context().table(name);
  }

  context(): ProjectionContext {
    return generationContext(this.sql, this.schema, this.projection, this.generation);
  }

  /** Every row of a logical table, ordered by the given columns (default: all columns as text). */
  async rows<R = Record<string, unknown>>(table: string, orderBy?: string): Promise<R[]> {
    const t = this.table(table);
    const { rows } = await this.sql.query<R>(`SELECT * FROM ${t} AS r ORDER BY ${orderBy ?? 'r::text'}`);
    return rows;
  }

  /** The `doc` column of a document projection's row, or undefined. */
  async doc<D = Record<string, unknown>>(key: string, table = 'docs'): Promise<D | undefined> {
    const { rows } = await this.sql.query<{ doc: D }>(`SELECT doc FROM ${this.table(table)} WHERE key = $1`, [key]);
    return rows[0]?.doc;
  }

  /** A text dump of every table (stable order): for comparing two applications of one history. */
  async dump(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const t of this.projection.tables) {
      const physical = this.table(t.name);
      const { rows } = await this.sql.query<{ r: string }>(`SELECT t::text AS r FROM ${physical} AS t ORDER BY 1`);
      out[t.name] = rows.map((row) => row.r);
    }
    return out;
  }
}

/** Applying `events` as one batch and one by one must produce identical tables. */
export async function expectBatchInvariance(projection: Projection, sql: SqlClient, schema: string, events: readonly RecordedEvent[]): Promise<void> {
  const whole = await (await ProjectionSpecification.for(projection, sql, schema)).given(events);
  const single = await (await ProjectionSpecification.for(projection, sql, schema)).given(events, 1);
  const odd = await (await ProjectionSpecification.for(projection, sql, schema)).given(events, 7);
  const [a, b, c] = [await whole.dump(), await single.dump(), await odd.dump()];
  if (JSON.stringify(a) !== JSON.stringify(b) || JSON.stringify(a) !== JSON.stringify(c)) {
    throw new Error(`Projection ${projection.name} depends on how events are batched:\nwhole=${JSON.stringify(a).slice(0, 2000)}\none-by-one=${JSON.stringify(b).slice(0, 2000)}`);
  }
}

/**
 * Read models as the API reads them: each projection applied to `events` in a fresh generation,
 * and its views pointed at it (what a rebuild's swap does). Returns the specifications.
 */
export async function serveReadModels(
  sql: SqlClient,
  schema: string,
  projections: readonly Projection[],
  events: readonly RecordedEvent[],
): Promise<ProjectionSpecification[]> {
  const specs: ProjectionSpecification[] = [];
  for (const projection of projections) {
    const spec = await (await ProjectionSpecification.for(projection, sql, schema)).given(events);
    await pointViews(sql, schema, projection, spec.generation);
    specs.push(spec);
  }
  return specs;
}
