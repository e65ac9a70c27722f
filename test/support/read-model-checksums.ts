/**
 * A checksum of every read-model table as queries see it (the stable view
 * `<schema>.rm_<projection>_<table>`, whichever generation is live): row count and
 * `md5(string_agg(row::text, '|' ORDER BY row::text))`. Two read stores with equal checksums hold
 * the same rows, whatever order, batch sizes or processes produced them.
 */
import { readModelView, READ_MODEL_PROJECTIONS, type Projection } from '@trellis/projections';

export interface TableChecksum {
  readonly rows: number;
  /** null for an empty table. */
  readonly md5: string | null;
}

/** View name (`rm_<projection>_<table>`) → checksum, for every table of every projection. */
export type ReadModelChecksums = Record<string, TableChecksum>;

interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export async function readModelChecksums(sql: Queryable, schema: string, projections: readonly Projection[] = READ_MODEL_PROJECTIONS): Promise<ReadModelChecksums> {
  const result: ReadModelChecksums = {};
  for (const p of projections) {
    for (const t of p.tables) {
      const view = readModelView(schema, p.name, t.name);
      const { rows } = await sql.query<{ rows: number; md5: string | null }>(
        `SELECT count(*)::int AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${view} t`,
      );
      result[`rm_${p.name}_${t.name}`] = { rows: rows[0]!.rows, md5: rows[0]!.md5 };
    }
  }
  return result;
}

/** One line per table whose checksum differs (empty when equal). */
export function checksumDifferences(actual: ReadModelChecksums, expected: ReadModelChecksums): string[] {
  const names = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
  return names
    .filter((n) => actual[n]?.md5 !== expected[n]?.md5 || actual[n]?.rows !== expected[n]?.rows)
    .map((n) => `${n}: ${fmt(actual[n])} but a clean rebuild has ${fmt(expected[n])}`);
}

const fmt = (c: TableChecksum | undefined) => (c ? `${c.rows} rows, md5 ${c.md5}` : 'no table');
