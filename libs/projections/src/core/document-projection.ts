/**
 * Most read models are one JSON document per key (a partnership, a workstream) plus a few indexed
 * columns for filtering and ordering. This builds such a projection from a pure `evolve`, applied
 * set-based per batch: ONE select of the touched documents, evolve in memory, ONE bulk upsert —
 * so rebuilding a million events costs a few thousand statements, not millions.
 */
import type { RecordedEvent } from '@trellis/event-store';
import { writeJsonRecords } from './json-records';
import type { Projection, ProjectionContext, ProjectionTable } from './projection';

export type ColumnType = 'text' | 'text[]' | 'bigint' | 'integer' | 'boolean' | 'timestamptz' | 'jsonb';

export interface DocumentProjectionOptions<Doc> {
  readonly name: string;
  readonly version: number;
  readonly eventTypes: readonly string[];
  /** Logical table name of the documents (default `docs`). */
  readonly table?: string;
  /** The document key of an event; `undefined` skips the event. May return several keys. */
  key(event: RecordedEvent): string | readonly string[] | undefined;
  /** The document before its first event. */
  initial(key: string, event: RecordedEvent): Doc;
  /** Pure: the next document (return the same object when nothing changes). `null` deletes it. */
  evolve(doc: Doc, event: RecordedEvent, key: string): Doc | null;
  /** Extra indexed columns, computed from the document (values must match the declared types). */
  readonly columns?: Readonly<Record<string, ColumnType>>;
  project?(doc: Doc): Readonly<Record<string, unknown>>;
  /** Extra DDL for the documents table (indexes on the columns), given the table and index prefix. */
  indexes?(table: string, indexPrefix: string): readonly string[];
  /** Further tables written by `afterBatch`. */
  readonly extraTables?: readonly ProjectionTable[];
  /** Runs in the same transaction after the documents of the batch were saved. */
  afterBatch?(events: readonly RecordedEvent[], ctx: ProjectionContext, changed: ReadonlyMap<string, Doc | null>): Promise<void>;
}

export interface DocumentProjection<Doc> extends Projection {
  readonly documentTable: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** Exposed for projection specs: the same evolve the projection uses. */
  evolveDocument(doc: Doc, event: RecordedEvent, key: string): Doc | null;
}

const IDENT = /^[a-z][a-z0-9_]{0,40}$/;

export function documentProjection<Doc>(options: DocumentProjectionOptions<Doc>): DocumentProjection<Doc> {
  const table = options.table ?? 'docs';
  const columns = options.columns ?? {};
  for (const c of Object.keys(columns)) {
    if (!IDENT.test(c) || c === 'key' || c === 'doc' || c === 'position') throw new Error(`${options.name}: bad column name ${c}`);
  }
  const columnList = Object.keys(columns);

  // Documents are rewritten on every batch that touches them: keeping rows up to ~8 KB inline and
  // uncompressed (no pglz on each write) and leaving room for in-page (HOT) updates is worth the
  // extra disk of a read model.
  const docsTable: ProjectionTable = {
    name: table,
    create: (t, ix) => [
      `CREATE TABLE ${t} (
         key text PRIMARY KEY,
         doc jsonb NOT NULL,
         position bigint NOT NULL${columnList.map((c) => `,\n         ${c} ${columns[c]}`).join('')}
       ) WITH (toast_tuple_target = 8160, fillfactor = 80)`,
      ...(options.indexes?.(t, ix) ?? []),
    ],
  };

  return {
    name: options.name,
    version: options.version,
    eventTypes: options.eventTypes,
    tables: [docsTable, ...(options.extraTables ?? [])],
    documentTable: table,
    columns,
    evolveDocument: (doc, event, key) => options.evolve(doc, event, key),

    async apply(events, ctx) {
      const t = ctx.table(table);
      const byKey = new Map<string, RecordedEvent[]>();
      for (const e of events) {
        const k = options.key(e);
        if (k === undefined) continue;
        for (const key of typeof k === 'string' ? [k] : k) {
          const list = byKey.get(key);
          if (list) list.push(e);
          else byKey.set(key, [e]);
        }
      }
      const changed = new Map<string, Doc | null>();
      if (byKey.size > 0) {
        const keys = [...byKey.keys()];
        const { rows } = await ctx.query<{ key: string; doc: Doc }>(`SELECT key, doc FROM ${t} WHERE key = ANY($1::text[])`, [keys]);
        const current = new Map(rows.map((r) => [r.key, r.doc] as const));
        const positions = new Map<string, bigint>();
        for (const [key, list] of byKey) {
          let doc: Doc | null | undefined = current.get(key);
          for (const e of list) {
            doc = options.evolve(doc ?? options.initial(key, e), e, key);
            positions.set(key, e.position);
          }
          changed.set(key, doc ?? null);
        }
        const upserts: Array<Record<string, unknown>> = [];
        const deletes: string[] = [];
        for (const [key, doc] of changed) {
          if (doc === null) deletes.push(key);
          else upserts.push({ key, doc, position: positions.get(key)!.toString(), ...(options.project?.(doc) ?? {}) });
        }
        if (upserts.length > 0) {
          const cols = ['key', 'doc', 'position', ...columnList];
          const types: Record<string, string> = { key: 'text', doc: 'jsonb', position: 'bigint', ...columns };
          await writeJsonRecords(
            ctx,
            `INSERT INTO ${t} (${cols.join(', ')})
             SELECT ${cols.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${cols.map((c) => `${c} ${types[c]}`).join(', ')})
             ON CONFLICT (key) DO UPDATE SET ${cols.filter((c) => c !== 'key').map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
            upserts,
          );
        }
        if (deletes.length > 0) await ctx.query(`DELETE FROM ${t} WHERE key = ANY($1::text[])`, [deletes]);
      }
      await options.afterBatch?.(events, ctx, changed);
    },
  };
}
