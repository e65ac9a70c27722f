/**
 * A projection is a value (DESIGN.md §7, STYLE.md §7): a name, a version, the event types it reads,
 * the tables it owns, and `apply(batch, ctx)` which writes the read-model changes of a whole batch.
 * The runtime commits those writes and the new checkpoint in ONE transaction of the read store, so
 * an event is applied exactly once in effect, and a crash at any point is resumable.
 *
 * Tables are logical names; the runtime gives each projection *generation* its own physical tables
 * (`rm_<projection>_<table>_g<n>`) and points a stable view (`rm_<projection>_<table>`) at the live
 * generation. A rebuild writes a new generation while queries keep reading the view; the swap is
 * one transaction that re-points the views.
 */
import type { RecordedEvent, SqlExecutor } from '@trellis/event-store';

export interface ProjectionTable {
  /** Logical name, a lower-case identifier (e.g. `partnerships`). */
  readonly name: string;
  /**
   * DDL creating the physical table `table` (schema-qualified) and its indexes. Index names must be
   * derived from `table` (e.g. `${indexPrefix}_status`) so generations do not collide.
   */
  readonly create: (table: string, indexPrefix: string) => readonly string[];
}

export interface ProjectionContext extends SqlExecutor {
  /** The physical, schema-qualified table of the generation being written. */
  table(name: string): string;
}

export interface Projection {
  /** A lower-case identifier, unique among projections (e.g. `partnership_summary`). */
  readonly name: string;
  /** Bump when the tables or the meaning of `apply` change: deploying it rebuilds blue/green. */
  readonly version: number;
  /** Only these event types are read (an empty list reads nothing). */
  readonly eventTypes: readonly string[];
  readonly tables: readonly ProjectionTable[];
  /**
   * Applies events in position order. Must be deterministic and idempotent per batch only through
   * the runtime's transaction (never call out: no HTTP, no queues — replay must not have side effects).
   */
  apply(events: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void>;
}

/** Physical names: the stable view queries use, and a generation's table. */
export const readModelView = (schema: string, projection: string, table: string): string => `${schema}.rm_${projection}_${table}`;
export const generationTable = (schema: string, projection: string, table: string, generation: number): string =>
  `${schema}.rm_${projection}_${table}_g${generation}`;
/** Index-name prefix for a generation's table (unqualified: indexes live in the table's schema). */
export const generationIndexPrefix = (projection: string, table: string, generation: number): string =>
  `rm_${projection}_${table}_g${generation}`;

export function assertProjectionDefinition(p: Projection): void {
  const id = /^[a-z][a-z0-9_]{0,30}$/;
  if (!id.test(p.name)) throw new Error(`Projection name ${JSON.stringify(p.name)} must match ${id}`);
  if (!Number.isInteger(p.version) || p.version < 1) throw new Error(`Projection ${p.name}: version must be a positive integer`);
  const seen = new Set<string>();
  for (const t of p.tables) {
    if (!/^[a-z][a-z0-9_]{0,20}$/.test(t.name)) throw new Error(`Projection ${p.name}: table name ${JSON.stringify(t.name)} is not a short identifier`);
    if (seen.has(t.name)) throw new Error(`Projection ${p.name}: duplicate table ${t.name}`);
    seen.add(t.name);
  }
}

export function assertUniqueNames(projections: readonly Projection[]): void {
  const names = new Set<string>();
  for (const p of projections) {
    assertProjectionDefinition(p);
    if (names.has(p.name)) throw new Error(`Duplicate projection name ${p.name}`);
    names.add(p.name);
  }
}
