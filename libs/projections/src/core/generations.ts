/**
 * Physical tables of projection generations and the views that expose the live one.
 */
import type { SqlExecutor } from '@trellis/event-store';
import {
  generationIndexPrefix,
  generationTable,
  readModelView,
  type Projection,
  type ProjectionContext,
} from './projection';

/** (Re)creates the tables of a generation, empty. */
export async function createGeneration(sql: SqlExecutor, schema: string, projection: Projection, generation: number): Promise<void> {
  await dropGeneration(sql, schema, projection, generation);
  for (const t of projection.tables) {
    const physical = generationTable(schema, projection.name, t.name, generation);
    for (const ddl of t.create(physical, generationIndexPrefix(projection.name, t.name, generation))) await sql.query(ddl);
  }
}

export async function dropGeneration(sql: SqlExecutor, schema: string, projection: Projection, generation: number): Promise<void> {
  for (const t of projection.tables) await sql.query(`DROP TABLE IF EXISTS ${generationTable(schema, projection.name, t.name, generation)} CASCADE`);
}

/**
 * Points every view of the projection at `generation`. Run inside the transaction that also records
 * the new live generation, so readers switch atomically (they never see a mix of generations).
 */
export async function pointViews(tx: SqlExecutor, schema: string, projection: Projection, generation: number): Promise<void> {
  for (const t of projection.tables) {
    const view = readModelView(schema, projection.name, t.name);
    // DROP + CREATE, not CREATE OR REPLACE: a new version may change the columns.
    await tx.query(`DROP VIEW IF EXISTS ${view}`);
    await tx.query(`CREATE VIEW ${view} AS SELECT * FROM ${generationTable(schema, projection.name, t.name, generation)}`);
  }
}

export function generationContext(tx: SqlExecutor, schema: string, projection: Projection, generation: number): ProjectionContext {
  const known = new Set(projection.tables.map((t) => t.name));
  return {
    query: (text, params) => tx.query(text, params),
    table(name: string) {
      if (!known.has(name)) throw new Error(`Projection ${projection.name} has no table ${name}`);
      return generationTable(schema, projection.name, name, generation);
    },
  };
}
